/**
 * One route of bench/ab-kept-parts.ts in a process of its own: `GET /parts/:id` with the parts it is
 * started with (bench/harness/kept-parts.ts). Started with fork(); receives { redisUrl, prefix, keys,
 * platformApiKey, parts, readModelsPrefix, users } and answers { port }.
 */
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { type Part, partsApp, portOf } from './harness/kept-parts.ts';

type Start = {
  redisUrl: string;
  prefix: string;
  keys: number;
  platformApiKey: string;
  parts: Part[];
  readModelsPrefix: string;
  users: string[];
};

process.once('message', async (message: Start) => {
  const redis = await connectRedis(message.redisUrl);
  const app = await partsApp(
    {
      redis,
      keyOf: (id) => `${message.prefix}${Number(id) % message.keys}`,
      platformApiKey: message.platformApiKey,
      readModels: {
        prefix: message.readModelsPrefix,
        userOf: (id) => message.users[Number(id) % message.users.length]!,
      },
    },
    '/parts',
    new Set(message.parts),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: portOf(app) });
  process.once('disconnect', () => {
    void app.close().then(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
});

/**
 * The baseline: a bare Fastify route doing one Redis GET of a value the size of a user read-model
 * document, parsing it and answering a small JSON, in its own process like the service.
 * Started with fork(); receives { redisUrl, prefix, keys } and answers { port }.
 */
import Fastify from 'fastify';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';

type Start = { redisUrl: string; prefix: string; keys: number };

process.once('message', async (message: Start) => {
  const redis = await connectRedis(message.redisUrl);
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/baseline/:id', async (request) => {
    const json = await redis.get(`${message.prefix}${Number(request.params.id) % message.keys}`);
    if (json === null) throw new Error('missing baseline key');
    const document = JSON.parse(json) as { twoFactor?: string };
    return { secondFactor: document.twoFactor === 'enrolled' ? 'required' : 'none' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  process.once('disconnect', () => {
    void app.close().then(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
});

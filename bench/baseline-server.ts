/**
 * The baselines: bare Fastify routes in their own process like the service. `GET /baseline/:id` does
 * one Redis GET of a value the size of a user read-model document, parses it and answers a small JSON.
 * `POST /durable/:id` is the least a code step must do: read a value (the challenge) from Redis, make
 * one row durable in SQLite (WAL, `synchronous = FULL`, the rows that arrive meanwhile committed
 * together), then write a value (the session) to Redis. On a port of its own, `GET /kept/:id` is the
 * bare GET with the behaviours #20 keeps for the login check, each the service's own code: the platform
 * key hook, the security headers, one request line at `info` to stdout and the request metric. Beside it,
 * `POST /kept-durable/:id` is the durable route with those behaviours except the platform key hook (the
 * code step is the browser's call, not the platform's). Started with fork(); receives { redisUrl, prefix,
 * keys, durablePath, platformApiKey } and answers { port, keptPort }.
 */
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { bareAnswer, keptParts, partsApp, portOf } from './harness/kept-parts.ts';

type Start = { redisUrl: string; prefix: string; keys: number; durablePath: string; platformApiKey: string };

/** One transaction for every row queued while the event loop ran: group commit, on this thread. */
const groupCommit = (path: string) => {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS rows (position INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  let queued: { body: string; done: () => void }[] = [];
  const commit = () => {
    const batch = queued;
    queued = [];
    db.exec('BEGIN IMMEDIATE');
    for (const row of batch) insert.run(row.body);
    db.exec('COMMIT');
    for (const row of batch) row.done();
  };
  return (body: string) =>
    new Promise<void>((done) => {
      if (queued.length === 0) setImmediate(commit);
      queued.push({ body, done });
    });
};

process.once('message', async (message: Start) => {
  const redis = await connectRedis(message.redisUrl);
  const durable = groupCommit(message.durablePath);
  const app = Fastify({ logger: false });
  const keyOf = (id: string) => `${message.prefix}${Number(id) % message.keys}`;
  app.get<{ Params: { id: string } }>('/baseline/:id', async (request) =>
    bareAnswer(redis, keyOf(request.params.id)),
  );
  const codeStep = async (id: string, code: string) => {
    const json = await redis.get(keyOf(id));
    if (json === null) throw new Error('missing baseline key');
    await durable(JSON.stringify({ id, code }));
    await redis.set(`${message.prefix}session:${id}`, json, 'EX', 60);
    return { status: 'authenticated' };
  };
  type CodeStepRequest = { Params: { id: string }; Body: { challenge: string; code: string } };
  app.post<CodeStepRequest>('/durable/:id', async (request) =>
    codeStep(request.params.id, request.body.code),
  );
  const kept = await partsApp(
    { redis, keyOf, platformApiKey: message.platformApiKey },
    '/kept',
    new Set(keptParts),
    (keptApp) =>
      keptApp.post<CodeStepRequest>('/kept-durable/:id', async (request) =>
        codeStep(request.params.id, request.body.code),
      ),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  await kept.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: portOf(app), keptPort: portOf(kept) });
  process.once('disconnect', () => {
    void Promise.all([app.close(), kept.close()]).then(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
});

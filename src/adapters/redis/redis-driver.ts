// What the composition root needs of Redis, in one module it imports only when Redis is configured.
export { connectRedisInBackground, deleteKeysWithPrefix } from './connect-redis.ts';
export { RedisLease } from './redis-lease.ts';
export { RedisReadModels } from './redis-read-models.ts';
export { RedisSessionStore } from './redis-session-store.ts';

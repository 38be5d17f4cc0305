import type { Redis } from 'ioredis';
import type { Lease } from '../../application/ports/lease.ts';
import { LuaScript } from './connect-redis.ts';

/** ARGV: key, holder, ttl ms. Extends our own lease or takes a free one; 1 when we hold it after. */
const acquireOrRenew = new LuaScript(`
local holder = redis.call('GET', ARGV[1])
if holder == ARGV[2] then
  redis.call('PEXPIRE', ARGV[1], ARGV[3])
  return 1
end
if holder then return 0 end
redis.call('SET', ARGV[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

/** ARGV: key, holder. Deletes the lease only if we hold it. */
const release = new LuaScript(`
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
`);

/** A lease in one Redis key that expires unless its holder renews it. */
export class RedisLease implements Lease {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly holder: string;
  private readonly ttlMs: number;

  constructor(redis: Redis, options: { key: string; holder: string; ttlMs: number }) {
    this.redis = redis;
    this.key = options.key;
    this.holder = options.holder;
    this.ttlMs = options.ttlMs;
  }

  async acquireOrRenew(): Promise<boolean> {
    return (await acquireOrRenew.run(this.redis, [this.key, this.holder, this.ttlMs])) === 1;
  }

  async release(): Promise<void> {
    await release.run(this.redis, [this.key, this.holder]);
  }
}

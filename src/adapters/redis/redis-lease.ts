import type { Lease } from '../../application/ports/lease.ts';
import { LuaScript, type RedisClient } from './connect-redis.ts';

/** KEYS[1]: the lease; ARGV: holder, ttl ms. Extends our own lease or takes a free one; 1 when we hold it after. */
const acquireOrRenew = new LuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS[1]: the lease; ARGV[1]: holder. Deletes the lease only if we hold it. */
const release = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** A lease in one Redis key (one Cluster slot) that expires unless its holder renews it. */
export class RedisLease implements Lease {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly holder: string;
  private readonly ttlMs: number;

  constructor(redis: RedisClient, options: { key: string; holder: string; ttlMs: number }) {
    this.redis = redis;
    this.key = options.key;
    this.holder = options.holder;
    this.ttlMs = options.ttlMs;
  }

  async acquireOrRenew(): Promise<boolean> {
    return (await acquireOrRenew.run(this.redis, [this.key], [this.holder, this.ttlMs])) === 1;
  }

  async release(): Promise<void> {
    await release.run(this.redis, [this.key], [this.holder]);
  }
}

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisNode, RedisTopology } from '../../src/adapters/redis/redis-topology.ts';
import { freePort } from './service-process.ts';

const run = promisify(execFile);
const host = '127.0.0.1';

/** Why Cluster/Sentinel tests cannot run here, or null when both binaries answer. */
export const redisTopologiesMissing = (): string | null => {
  for (const binary of ['redis-server', 'redis-cli']) {
    if (spawnSync(binary, ['--version']).status !== 0)
      return `SKIPPED: the ${binary} binary is not installed, so no Redis Cluster or Sentinel can be started`;
  }
  return null;
};

const cli = async (port: number, ...args: string[]): Promise<string> => {
  try {
    return (await run('redis-cli', ['-h', host, '-p', String(port), ...args], { timeout: 10_000 })).stdout;
  } catch {
    return '';
  }
};

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** redis-server processes of one test file, in one temporary directory, all killed by `stopAll`. */
const processGroup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-redis-'));
  const running = new Map<number, ChildProcess>();
  const start = async (port: number, args: string[]): Promise<void> => {
    const child = spawn(
      'redis-server',
      [...args, '--port', String(port), '--bind', host, '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    running.set(port, child);
    await until(`redis-server on ${port}`, async () => (await cli(port, 'ping')).includes('PONG'));
  };
  const kill = async (port: number): Promise<void> => {
    const child = running.get(port);
    running.delete(port);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all([...running.keys()].map(kill));
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, start, kill, stopAll };
};

export type TestRedisCluster = { nodes: RedisNode[]; topology: RedisTopology; stop: () => Promise<void> };

/** A Redis Cluster of `masters` masters (no replicas) on free loopback ports, with every slot assigned. */
export const startRedisCluster = async (masters = 3): Promise<TestRedisCluster> => {
  const group = processGroup();
  try {
    const ports: number[] = [];
    for (let index = 0; index < masters; index += 1) ports.push(await freePort());
    await Promise.all(
      ports.map((port) =>
        group.start(port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(group.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
        ]),
      ),
    );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `${host}:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    for (const port of ports)
      await until(`cluster_state:ok on ${port}`, async () =>
        (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'),
      );
    const nodes = ports.map((port) => ({ host, port }));
    return { nodes, topology: { kind: 'cluster', nodes }, stop: group.stopAll };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
};

export type TestRedisSentinel = {
  topology: RedisTopology;
  /** The port of the master the Sentinel currently names. */
  masterPort: () => Promise<number>;
  /** SIGKILLs the current master; resolves once the Sentinel names another one (the replica). */
  killMasterAndAwaitFailover: () => Promise<number>;
  stop: () => Promise<void>;
};

const masterName = 'second-factor-test';

/** A master, one replica and one Sentinel (quorum 1) that fails over about a second after the master dies. */
export const startRedisSentinel = async (): Promise<TestRedisSentinel> => {
  const group = processGroup();
  try {
    const [master, replica, sentinel] = [await freePort(), await freePort(), await freePort()] as const;
    await group.start(master, []);
    await group.start(replica, ['--replicaof', host, String(master)]);
    await until('the replica to sync', async () =>
      (await cli(replica, 'info', 'replication')).includes('master_link_status:up'),
    );
    const conf = join(group.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `sentinel monitor ${masterName} ${host} ${master} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 3000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    await group.start(sentinel, [conf, '--sentinel']);
    await until('the Sentinel to see the replica', async () =>
      (await cli(sentinel, 'sentinel', 'replicas', masterName)).includes(String(replica)),
    );
    const masterPort = async () =>
      Number((await cli(sentinel, 'sentinel', 'get-master-addr-by-name', masterName)).trim().split('\n')[1]);
    return {
      topology: { kind: 'sentinel', sentinels: [{ host, port: sentinel }], name: masterName },
      masterPort,
      killMasterAndAwaitFailover: async () => {
        const old = await masterPort();
        await group.kill(old);
        let promoted = old;
        await until(
          'the Sentinel to promote the replica',
          async () => {
            promoted = await masterPort();
            return promoted !== old && (await cli(promoted, 'info', 'replication')).includes('role:master');
          },
          30_000,
        );
        return promoted;
      },
      stop: group.stopAll,
    };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
};

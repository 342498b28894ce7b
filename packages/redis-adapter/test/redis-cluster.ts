import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findRedisCli, findRedisServer, RedisProcess } from './redis-server.js';

const run = promisify(execFile);

/** Why a test that needs a Redis Cluster is skipped, or `false` when redis-server and redis-cli are there. */
export const SKIP_WITHOUT_CLUSTER: string | false = findRedisServer() === undefined || findRedisCli() === undefined
  ? 'redis-server or redis-cli not found: install them (Debian: apt-get install redis-server; `npm test` does) or set REDIS_SERVER and REDIS_CLI'
  : false;

/**
 * The ports cluster nodes may use, `$REDIS_CLUSTER_PORTS` (`from-to`, default `24000-24999`): a node
 * listens in the lower half and talks to the other nodes (the cluster bus) on the port half the range
 * above. A range of its own keeps clear of the ports the system hands out (Redis cannot pick one).
 */
function portRange(): { from: number; half: number } {
  const [from, to] = (process.env.REDIS_CLUSTER_PORTS ?? '24000-24999').split('-').map(Number);
  if (from === undefined || to === undefined || !(from > 0 && to > from)) throw new Error('REDIS_CLUSTER_PORTS must look like 24000-24999');
  return { from, half: Math.floor((to - from + 1) / 2) };
}

/** One master of a {@link RedisCluster}. */
export interface ClusterMember {
  readonly redis: RedisProcess;
  readonly port: number;
}

/**
 * A throwaway Redis Cluster on 127.0.0.1: `masters` redis-servers with `--cluster-enabled yes`, each in
 * a temporary directory (its `nodes.conf`), joined by `redis-cli --cluster create … --cluster-replicas 0`;
 * no persistence, so a restarted master comes back with its identity and slots but no data. `kill()`
 * stops them all and removes the directories.
 */
export class RedisCluster {
  private constructor(readonly members: readonly ClusterMember[], private readonly dir: string) {}

  /** Starts the masters, creates the cluster and waits until every node says `cluster_state:ok`. */
  static async launch(masters = 3): Promise<RedisCluster> {
    const cli = findRedisCli();
    if (cli === undefined) throw new Error(SKIP_WITHOUT_CLUSTER as string);
    const dir = await mkdtemp(join(tmpdir(), 'corows-redis-cluster-'));
    const members: ClusterMember[] = [];
    const cluster = new RedisCluster(members, dir);
    try {
      const { half } = portRange();
      for (let i = 0; i < masters; i++) {
        for (let attempt = 1; ; attempt++) {
          const port = await freeClusterPort(members.map((member) => member.port));
          const nodeDir = join(dir, String(port));
          await mkdir(nodeDir, { recursive: true });
          try {
            const redis = await RedisProcess.launch(port, [
              '--cluster-enabled', 'yes', '--cluster-port', String(port + half), '--cluster-config-file', join(nodeDir, 'nodes.conf'),
              '--cluster-node-timeout', '10000', '--dir', nodeDir,
            ]);
            members.push({ redis, port });
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
          }
        }
      }
      await run(cli, ['--cluster', 'create', ...members.map((member) => `127.0.0.1:${member.port}`), '--cluster-replicas', '0', '--cluster-yes']);
      await cluster.settled();
      return cluster;
    } catch (err) {
      await cluster.kill();
      throw err;
    }
  }

  /** The nodes as `redis://127.0.0.1:<port>` URLs, for `{ cluster: … }`. */
  get urls(): string[] {
    return this.members.map((member) => `redis://127.0.0.1:${member.port}`);
  }

  /** The member whose master serves `slot`. */
  async memberOf(slot: number): Promise<ClusterMember> {
    const probe = new Redis(this.members[0]?.port as number, '127.0.0.1', { lazyConnect: true });
    try {
      const ranges = (await probe.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const range = ranges.find(([first, last]) => slot >= first && slot <= last);
      const member = this.members.find((candidate) => candidate.port === range?.[2][1]);
      if (member === undefined) throw new Error(`no master serves slot ${slot}`);
      return member;
    } finally {
      probe.disconnect();
    }
  }

  /**
   * Kills `member` at once (SIGKILL: a crash) and runs it again on the same port and directory; resolves
   * once the cluster is whole again (every node: `cluster_state:ok`).
   */
  async restart(member: ClusterMember, whileDown?: () => Promise<void>): Promise<void> {
    await member.redis.kill();
    await whileDown?.();
    await member.redis.start();
    await this.settled();
  }

  /** How many times `command` (e.g. `spublish`) ran on each member, from INFO commandstats. */
  async calls(command: string): Promise<number[]> {
    return Promise.all(this.members.map(async (member) => {
      const probe = new Redis(member.port, '127.0.0.1', { lazyConnect: true });
      try {
        const info = await probe.info('commandstats');
        return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      } finally {
        probe.disconnect();
      }
    }));
  }

  /** Stops every node and removes the directories. */
  async kill(): Promise<void> {
    await Promise.all(this.members.map((member) => member.redis.kill()));
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Resolves once every node reports `cluster_state:ok` and knows all the others. */
  private async settled(timeout = 20_000): Promise<void> {
    const deadline = Date.now() + timeout;
    const probes = this.members.map((member) => new Redis(member.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 }));
    try {
      for (;;) {
        const states = await Promise.all(probes.map((probe) => probe.call('CLUSTER', 'INFO').then(String, (err: Error) => err.message)));
        if (states.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${this.members.length}`))) return;
        if (Date.now() > deadline) throw new Error(`the Redis Cluster did not settle within ${timeout} ms:\n${states.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      for (const probe of probes) probe.disconnect();
    }
  }
}

/** A port of the range, not in `taken`, on which nothing listens, and whose bus port is free too. */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  const { from, half } = portRange();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * half);
    if (taken.includes(port)) continue;
    if ((await canListen(port)) && (await canListen(port + half))) return port;
  }
  throw new Error(`no free port pair in REDIS_CLUSTER_PORTS (${process.env.REDIS_CLUSTER_PORTS ?? '24000-24999'}) after 50 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

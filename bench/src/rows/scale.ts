import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Child } from '../children.js';
import type { RawWire } from '../libs/raw-client.js';
import { HEARTBEAT_MS, TAGS, type Kind, type Stack } from '../libs/scale-nodes.js';
import type { MemorySnapshot } from '../memory.js';
import { Phases } from '../phases.js';
import type { ScalePlan } from '../plan.js';
import { sleep, wallClockMs } from '../timing.js';
import { CALL_MS, redisCpuUs, split, sum, tcpBufferBytes, untilServersHold, type ScaleRig } from './scale-rig.js';

/** What one stack did with the whole crowd. Times in milliseconds, memory in bytes. */
export interface ScaleTrial {
  stack: Stack;
  /** Connections asked for, and opened within the plan's time bound. */
  wanted: number;
  connections: number;
  roomMembers: number;
  /** From the first handshake until every server process held its share. */
  openMs: number;
  /** CPU time of all server processes while opening, per connection, in µs. */
  openCpuPerConnUs: number;
  /** CPU time of all load processes while opening, per connection, in µs: the client side's share of the floor. */
  openLoadCpuPerConnUs: number;
  /** Handshakes the servers refused (408, 503) under load, which the clients tried again. */
  openRetries: number;
  /**
   * Socket buffer memory of the kernel's TCP (`/proc/net/sockstat`, machine-wide), from before opening
   * to the end of the idle window, per connection, both ends (loopback); `undefined` where the file
   * cannot be read.
   */
  kernelBuffersPerConn: number | undefined;
  /** Per connection, all server processes together (their growth after garbage collection, over the connections). */
  heapPerConn: number;
  rssPerConn: number;
  /** The server processes' RSS with every connection open, in all. */
  serverRss: number;
  idle: {
    ms: number;
    /** CPU time of all server processes during the idle window, over its length (1 = one core busy). */
    serverCores: number;
    /** redis-server's CPU time over the window's length. */
    redisCores: number;
    /** Heartbeats the clients received during the window, per connection. */
    pingsPerConn: number;
  };
  /** Each counted fan-out: from the orchestrator's request until the last client had it. */
  broadcastMs: number[];
  roomMs: number[];
  /** CPU time of all server processes per message delivered, during the counted broadcasts, in µs. */
  serverCpuPerDeliveryUs: number;
  /**
   * redis-server's CPU time during the counted broadcasts over their duration (1 = one core busy):
   * compare with `idle.redisCores`; a broadcast costs Redis little next to its own background work.
   */
  redisCoresBroadcasting: number;
  /** Counted broadcasts per second, one after another: what the fan-out allowed. */
  broadcastsPerSecond: number;
  /** The active client's round trips while the fan-outs ran, in µs. */
  ping: { p50: number; p99: number; max: number; count: number };
  /** Wall time of each phase of the trial, in seconds. */
  phases: Record<string, number>;
  /** What the clients counted against what was sent: all four must be 0. */
  delivery: { missing: number; extra: number; unknown: number; dropped: number };
}

/**
 * One stack's run: `plan.servers` server processes with the stack's Redis adapter on `redisUrl`,
 * `plan.crowds` load-generator processes holding `connections` connections among them, and one
 * active client. Measures opening, idle memory and CPU, broadcasts to everyone, messages to the 1%
 * room and the active client's ping-pong meanwhile; checks every client's count at the end. The
 * children are left running (the caller stops them).
 */
export async function runScaleTrial(rig: ScaleRig, plan: ScalePlan, wanted: number, redisUrl: string, round: number, log: (line: string) => void): Promise<ScaleTrial> {
  const { stack, servers, crowds, pinger } = rig;
  const wire: RawWire = stack === 'corows' ? 'websocket' : 'socket.io';
  const phases = new Phases();
  const redis = new Redis(redisUrl);
  try {
    const ports = await Promise.all(servers.map(async (s) => (await s.call<{ port: number }>('listen', { stack, redisUrl }, CALL_MS)).port));
    const before = await Promise.all(servers.map((s) => s.call<MemorySnapshot>('memory', null, CALL_MS)));
    phases.mark('listen');

    log(`  ${stack}: opening ${wanted.toLocaleString('en-US')} connections over ${plan.servers} server processes from ${plan.crowds} load processes`);
    const shares = split(wanted, plan.crowds);
    const [openCpu0, loadCpu0, buffers0] = [await sum(servers, 'cpu'), await sum(crowds, 'cpu'), tcpBufferBytes()];
    const openStart = performance.now();
    const opened = await Promise.all(crowds.map((crowd, i) => crowd.call<{ opened: number; members: number; retried: number }>(
      'open',
      { wire, ports, first: shares[i]?.first, count: shares[i]?.count, round: round + i, concurrency: plan.concurrency, timeoutMs: plan.openTimeoutMs },
      plan.openTimeoutMs + 5_000,
    )));
    const perCrowd = opened.map((o) => o.opened);
    const connections = perCrowd.reduce((a, b) => a + b, 0);
    const count = connections.toLocaleString('en-US');
    if (connections < wanted) log(`  ${stack}: opened only ${count} of ${wanted.toLocaleString('en-US')} within ${plan.openTimeoutMs / 1000} s; measuring those`);
    await untilServersHold(servers, connections, stack);
    const openMs = performance.now() - openStart;
    phases.mark('open');
    const [openCpu1, loadCpu1] = [await sum(servers, 'cpu'), await sum(crowds, 'cpu')];
    const openRetries = opened.reduce((sum, o) => sum + o.retried, 0);
    const members = opened.map((o) => o.members);
    const roomMembers = members.reduce((a, b) => a + b, 0);
    const after = await Promise.all(servers.map((s) => s.call<MemorySnapshot>('memory', null, CALL_MS)));
    phases.mark('gc');
    const grown = (key: keyof MemorySnapshot): number => after.reduce((sum, m, i) => sum + m[key] - (before[i] as MemorySnapshot)[key], 0);
    log(`  ${stack}: opened in ${(openMs / 1000).toFixed(1)} s (${openRetries} handshakes retried), CPU per connection ${((openCpu1 - openCpu0) / connections).toFixed(0)} µs servers, ${((loadCpu1 - loadCpu0) / connections).toFixed(0)} µs clients; ${(grown('heap') / connections / 1024).toFixed(2)} KiB heap, ${(grown('rss') / connections / 1024).toFixed(2)} KiB RSS per connection`);

    // One heartbeat interval of the stack: every connection's heartbeat counted once.
    const idleFor = Math.min(plan.idleMs, HEARTBEAT_MS[stack]);
    log(`  ${stack}: idle for ${(idleFor / 1000).toFixed(0)} s (default heartbeats)`);
    const idle0 = { cpu: await sum(servers, 'cpu'), redis: await redisCpuUs(redis), pings: await sum(crowds, 'pings'), at: performance.now() };
    await sleep(idleFor);
    const idle1 = { cpu: await sum(servers, 'cpu'), redis: await redisCpuUs(redis), pings: await sum(crowds, 'pings'), at: performance.now() };
    const idleMs = idle1.at - idle0.at;
    phases.mark('idle');
    const buffers1 = tcpBufferBytes();
    const idle = {
      ms: idleMs,
      serverCores: (idle1.cpu - idle0.cpu) / 1000 / idleMs,
      redisCores: (idle1.redis - idle0.redis) / 1000 / idleMs,
      pingsPerConn: (idle1.pings - idle0.pings) / connections,
    };
    log(`  ${stack}: idle CPU ${(idle.serverCores * 100).toFixed(2)}% of a core (servers), ${(idle.redisCores * 100).toFixed(2)}% (redis); ${idle.pingsPerConn.toFixed(2)} heartbeats per connection`);

    await pinger.call('open', { wire, port: ports[0] }, CALL_MS);
    await pinger.call('start', { everyMs: plan.pingEveryMs, maxMs: plan.deadlineMs }, CALL_MS);
    const text = (kind: Kind): string => TAGS[kind].padEnd(plan.size, '.');
    const fanOut = async (kind: Kind, i: number, perCrowd: number[]): Promise<number> => {
      await Promise.all(crowds.map((crowd, c) => crowd.call('arm', { kind, total: (perCrowd[c] as number) * (i + 1) }, CALL_MS)));
      const origin = servers[i % servers.length] as Child;
      const start = wallClockMs();
      await origin.call(kind === 'broadcast' ? 'broadcast' : 'toRoom', { text: text(kind) }, plan.deliveryTimeoutMs);
      const reached = await Promise.all(crowds.map((crowd) => crowd.call<number>('reached', { timeoutMs: plan.deliveryTimeoutMs }, plan.deliveryTimeoutMs + 5_000)));
      return Math.max(...reached) - start;
    };

    const broadcastMs: number[] = [];
    for (let i = 0; i < plan.warmupBroadcasts; i++) await fanOut('broadcast', i, perCrowd);
    const busy0 = { cpu: await sum(servers, 'cpu'), redis: await redisCpuUs(redis), at: performance.now() };
    for (let i = plan.warmupBroadcasts; i < plan.warmupBroadcasts + plan.broadcasts; i++) broadcastMs.push(await fanOut('broadcast', i, perCrowd));
    const busy1 = { cpu: await sum(servers, 'cpu'), redis: await redisCpuUs(redis), at: performance.now() };
    phases.mark('broadcasts');
    log(`  ${stack}: broadcast to ${count}: ${broadcastMs.map((ms) => ms.toFixed(0)).join(' ')} ms`);

    const roomMs: number[] = [];
    for (let i = 0; i < plan.warmupRoomMessages + plan.roomMessages; i++) {
      const ms = await fanOut('room', i, members);
      if (i >= plan.warmupRoomMessages) roomMs.push(ms);
    }
    phases.mark('rooms');
    log(`  ${stack}: message to the room of ${roomMembers}: ${roomMs.map((ms) => ms.toFixed(1)).join(' ')} ms`);
    const ping = await pinger.call<ScaleTrial['ping'] & { others: number }>('stop', null, CALL_MS);

    const broadcasts = plan.warmupBroadcasts + plan.broadcasts;
    const roomMessages = plan.warmupRoomMessages + plan.roomMessages;
    const checks = await Promise.all(crowds.map((crowd) => crowd.call<ScaleTrial['delivery']>('verify', { broadcasts, roomMessages }, CALL_MS)));
    const delivery = { missing: 0, extra: 0, unknown: 0, dropped: 0 };
    for (const check of checks) for (const key of Object.keys(delivery) as Array<keyof typeof delivery>) delivery[key] += check[key];
    // The active client is a connection too: it gets every broadcast.
    delivery.missing += Math.max(0, broadcasts - ping.others);
    delivery.extra += Math.max(0, ping.others - broadcasts);
    phases.mark('verify');
    log(`  ${stack}: phases: ${phases.toString()}`);
    log(`  ${stack}: ping-pong p50 ${(ping.p50 / 1000).toFixed(2)} ms, p99 ${(ping.p99 / 1000).toFixed(2)} ms, max ${(ping.max / 1000).toFixed(1)} ms (${ping.count}); delivery: ${JSON.stringify(delivery)}`);

    return {
      stack,
      wanted,
      connections,
      roomMembers,
      openMs,
      openCpuPerConnUs: (openCpu1 - openCpu0) / connections,
      openLoadCpuPerConnUs: (loadCpu1 - loadCpu0) / connections,
      openRetries,
      kernelBuffersPerConn: buffers0 === undefined || buffers1 === undefined ? undefined : (buffers1 - buffers0) / connections,
      heapPerConn: grown('heap') / connections,
      rssPerConn: grown('rss') / connections,
      serverRss: after.reduce((sum, m) => sum + m.rss, 0),
      idle,
      broadcastMs,
      roomMs,
      serverCpuPerDeliveryUs: (busy1.cpu - busy0.cpu) / (plan.broadcasts * (connections + 1)),
      redisCoresBroadcasting: (busy1.redis - busy0.redis) / 1000 / (busy1.at - busy0.at),
      broadcastsPerSecond: (plan.broadcasts * 1000) / (busy1.at - busy0.at),
      ping: { p50: ping.p50, p99: ping.p99, max: ping.max, count: ping.count },
      phases: phases.toJSON(),
      delivery,
    };
  } finally {
    redis.disconnect();
  }
}

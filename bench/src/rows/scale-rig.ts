import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { Child } from '../children.js';
import type { Stack } from '../libs/scale-nodes.js';
import type { ScalePlan } from '../plan.js';
import { sleep } from '../timing.js';

const START_TIMEOUT_MS = 120_000;
/**
 * How long the orchestrator waits for a child's answer: a process busy with 16,000 connections on an
 * overloaded machine (other work, load average 20 on 2 cores) may not read its IPC for many seconds.
 */
export const CALL_MS = 120_000;

/** The processes of one stack's trial: its server nodes, the load processes, and the active client. */
export interface ScaleRig {
  stack: Stack;
  servers: Child[];
  crowds: Child[];
  pinger: Child;
}

/**
 * Starts a stack's processes (they load the stack's code only when told to listen, so that a rig
 * started early costs nothing while another stack is measured). Many children start at once on a
 * busy machine: each gets two minutes to load its code.
 */
export async function startScaleRig(stack: Stack, plan: ScalePlan): Promise<ScaleRig> {
  const [servers, crowds, pinger] = await Promise.all([
    Promise.all(Array.from({ length: plan.servers }, (_, i) => Child.start('scale-server', `${stack} node ${i}`, START_TIMEOUT_MS))),
    Promise.all(Array.from({ length: plan.crowds }, (_, i) => Child.start('scale-crowd', `${stack} crowd ${i}`, START_TIMEOUT_MS))),
    Child.start('pinger', `${stack} pinger`, START_TIMEOUT_MS),
  ]);
  return { stack, servers, crowds, pinger };
}

/** Ends a rig's processes at once: nothing of theirs is written at the end, so nothing is waited for. */
export function killScaleRig(rig: ScaleRig): void {
  for (const child of [...rig.servers, ...rig.crowds, rig.pinger]) child.kill();
}

/** `total` split into `parts` nearly equal consecutive ranges. */
export function split(total: number, parts: number): Array<{ first: number; count: number }> {
  const ranges: Array<{ first: number; count: number }> = [];
  for (let i = 0, first = 0; i < parts; i++) {
    const count = Math.floor(total / parts) + (i < total % parts ? 1 : 0);
    ranges.push({ first, count });
    first += count;
  }
  return ranges;
}

/** Handshakes done on the client side may still be on their way to the application: wait (bounded). */
export async function untilServersHold(servers: Child[], connections: number, stack: Stack): Promise<void> {
  let held = 0;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
    held = await sum(servers, 'connections');
    if (held >= connections) return;
  }
  throw new Error(`${stack}: the servers hold ${held} of ${connections} connections`);
}

/** The sum of what `children` answer to `cmd` (a number each). */
export async function sum(children: Child[], cmd: string): Promise<number> {
  return (await Promise.all(children.map((c) => c.call<number>(cmd, null, CALL_MS)))).reduce((a, b) => a + b, 0);
}

/** The kernel's TCP socket buffer memory now (`mem` of `/proc/net/sockstat`, in pages of 4 KiB), in bytes. */
export function tcpBufferBytes(): number | undefined {
  try {
    const pages = /^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1];
    return pages === undefined ? undefined : Number(pages) * 4096;
  } catch {
    return undefined;
  }
}

/** redis-server's CPU time so far (user + system), in µs, from `INFO cpu`. */
export async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

import { Fifo } from './fifo.js';
import type { NodeTransport } from './socket.js';

// Node only, with node-link.ts. Core compiles without Node's types: the one Node global used here.
declare const process: { nextTick(callback: () => void): void };

/** Every TCP socket corked this tick, uncorked together by one `process.nextTick` (not one per socket). */
let held: NodeTransport[] = [];

/** Whether a send was written at once in this tick (see {@link firstSendOfTick}). */
let wroteThisTick = false;

function endTick(): void {
  wroteThisTick = false;
}

/**
 * Whether this is the first send of the tick, on any socket, and marks the tick so. A send alone in
 * its tick (a ping-pong's answer) is written at once, as `ws` does, rather than held to the tick's
 * end: the corking, which pays as soon as a second send follows, would only delay it. Any later send
 * of the tick, to this socket or another (a loop over connections), is held as before. The tick's
 * end is still awaited once to know when the next one starts, but after the write, not before it.
 */
export function firstSendOfTick(): boolean {
  if (wroteThisTick) return false;
  wroteThisTick = true;
  process.nextTick(endTick);
  return true;
}

/**
 * Corks `transport` until the end of this tick, if it is not corked yet, so that the messages of one
 * turn of the event loop (all the answers to the frames of one read, say) go out in one system call
 * rather than one each. That call is most of the cost of a small message (profiles of the 64 B echo:
 * 60–85% of the server's time in writev); uWebSockets.js batches the same way. The tick's end comes
 * before any I/O, so no message waits for the network or a timer. A broadcast corks every socket it
 * writes to: one tick for all of them rather than one each. A send that is likely alone in its tick
 * is not held (see {@link firstSendOfTick}).
 */
export function holdUntilTickEnd(transport: NodeTransport): void {
  if (transport.writableCorked !== 0) return;
  transport.cork();
  if (held.push(transport) === 1) process.nextTick(uncorkHeld);
}

function uncorkHeld(): void {
  const transports = held;
  held = [];
  // A socket written past the bound (or flushed) mid-tick may be listed twice, or no longer corked.
  for (const transport of transports) if (transport.writableCorked > 0) transport.uncork();
}

/**
 * The callbacks of one socket's writes in flight, called through one shared callback. Node's streams
 * complete writes in order, and when consecutive writes pass the same callback they schedule one
 * `process.nextTick` for all of them; a callback per write costs a tick and an object each, which
 * measured about 8% of a 64-byte echo's throughput.
 */
export class WriteQueue extends Fifo<(err?: Error) => void> {
  readonly written = (err?: Error | null): void => {
    this.shift()?.(err ?? undefined);
  };
}

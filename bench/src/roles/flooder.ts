// A flooder child: one lean connection that sends as fast as the socket takes it, for the slow-consumer row.
import { openLean, type LeanConn, type Wire } from '../libs/lean-client.js';
import { sleep } from '../timing.js';

let conn: LeanConn | undefined;

export const commands = {
  async open({ wire, port }: { wire: Wire; port: number }) {
    conn = await openLean(port, wire, '127.0.0.1', () => undefined);
  },

  /**
   * Sends messages of `size` bytes until `maxMessages` are sent or `durationMs` has passed, keeping
   * at most `maxBufferedBytes` queued in this process (so the producer's own memory stays small and
   * only the receiving side is tested). Returns how many were sent.
   */
  async flood({ size, maxMessages, durationMs, maxBufferedBytes }: { size: number; maxMessages: number; durationMs: number; maxBufferedBytes: number }) {
    if (conn === undefined) throw new Error('open first');
    const payload = 'y'.repeat(size);
    const deadline = Date.now() + durationMs;
    let sent = 0;
    while (sent < maxMessages && Date.now() < deadline) {
      if (conn.ws.bufferedAmount >= maxBufferedBytes) {
        await sleep(1);
        continue;
      }
      conn.send(payload);
      sent++;
      if (sent % 64 === 0) await new Promise(setImmediate);
    }
    return { sent };
  },

  /** Resolves once everything sent has left this process (at most `timeoutMs`). */
  async flushed({ timeoutMs }: { timeoutMs: number }) {
    const deadline = Date.now() + timeoutMs;
    while (conn !== undefined && conn.ws.bufferedAmount > 0 && Date.now() < deadline) await sleep(5);
    return conn?.ws.bufferedAmount ?? 0;
  },
};

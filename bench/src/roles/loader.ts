// An echo load-generator process for the ceiling rows: lean connections (the same client whichever
// server is measured) that keep messages in flight, and count the echoes.
import { openLean, sourceAddress, type LeanConn, type Wire } from '../libs/lean-client.js';
import { waitFor } from '../timing.js';

const conns: LeanConn[] = [];
let payload = '';
let tag = 0;
let sending = false;
let outstanding = 0;
let echoes = 0;
let mismatches = 0;

export const commands = {
  /** Opens `conns` connections from addresses of `round` (spread over 127/8). */
  async open({ wire, port, conns: count, round }: { wire: Wire; port: number; conns: number; round: number }) {
    for (let i = 0; i < count; i++) {
      const index = conns.length;
      const onMessage = (got: number): void => {
        echoes++;
        if (got !== tag) mismatches++;
        if (sending) (conns[index] as LeanConn).send(payload);
        else outstanding--;
      };
      conns.push(await openLean(port, wire, sourceAddress(round, i), onMessage, { batchSends: true }));
    }
    return conns.length;
  },

  /** Every connection sends `inFlight` messages of `size` bytes, and one more for each echo, until `stop`. */
  start({ size, inFlight }: { size: number; inFlight: number }) {
    payload = 'e'.repeat(size);
    tag = payload.charCodeAt(0);
    sending = true;
    for (const conn of conns) {
      for (let i = 0; i < inFlight; i++) conn.send(payload);
      outstanding += inFlight;
    }
  },

  /** Echoes so far, and this process's CPU time so far (µs). */
  count: () => {
    const { user, system } = process.cpuUsage();
    return { echoes, cpu: user + system };
  },

  /** Stops sending and waits (at most `drainMs`) for the echoes still out; fails on a wrong echo. */
  async stop({ drainMs }: { drainMs: number }) {
    sending = false;
    await waitFor(() => outstanding === 0, drainMs, `${outstanding} echoes still missing after the run`);
    if (mismatches > 0) throw new Error(`${mismatches} echoes were not what was sent`);
  },
};

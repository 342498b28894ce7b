// An echo load-generator process for the ceiling rows: raw connections (libs/raw-client.ts, the same
// client whichever server is measured) that keep messages in flight and count the echoes. Cheap per
// message so that the server is the bottleneck: each frame is encoded once, and what arrives in one
// read is answered with one write of as many frames.
import { sourceAddress } from '../libs/lean-client.js';
import { clientFrame, openRaw, wireText, type RawConn, type RawWire } from '../libs/raw-client.js';
import { waitFor } from '../timing.js';

interface Loaded {
  conn: RawConn;
  /** Echoes that arrived in the read being handled, to be answered when it is done. */
  due: number;
  /** Messages sent and not echoed yet. */
  outstanding: number;
}

const loaded: Loaded[] = [];
let wire: RawWire = 'websocket';
/** `inFlight` frames of the message back to back: a write of n frames is its first n. */
let frames = Buffer.alloc(0);
let frameLength = 0;
let tag = 0;
let sending = false;
let echoes = 0;
let mismatches = 0;

function answer(entry: Loaded): void {
  const { due } = entry;
  if (due === 0) return;
  entry.due = 0;
  if (!sending) {
    entry.outstanding -= due;
    return;
  }
  entry.conn.socket.write(frames.subarray(0, due * frameLength));
}

export const commands = {
  /** Opens `conns` connections from addresses of `round` (spread over 127/8). */
  async open({ wire: kind, port, conns: count, round }: { wire: RawWire; port: number; conns: number; round: number }) {
    wire = kind;
    for (let i = 0; i < count; i++) {
      const entry: Loaded = { conn: undefined as unknown as RawConn, due: 0, outstanding: 0 };
      const onMessage = (got: number): void => {
        echoes++;
        entry.due++;
        if (got !== tag) mismatches++;
      };
      entry.conn = await openRaw(port, wire, sourceAddress(round, i), { onMessage });
      entry.conn.socket.on('data', () => answer(entry));
      loaded.push(entry);
    }
    return loaded.length;
  },

  /** Every connection sends `inFlight` messages of `size` bytes, and one more for each echo, until `stop`. */
  start({ size, inFlight }: { size: number; inFlight: number }) {
    const text = 'e'.repeat(size);
    tag = text.charCodeAt(0);
    const frame = clientFrame(wireText(wire, text));
    frameLength = frame.length;
    frames = Buffer.concat(Array.from({ length: inFlight }, () => frame));
    sending = true;
    for (const entry of loaded) {
      entry.conn.socket.write(frames);
      entry.outstanding += inFlight;
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
    const left = (): number => loaded.reduce((sum, entry) => sum + entry.outstanding, 0);
    await waitFor(() => left() === 0, drainMs, `${left()} echoes still missing after the run`);
    if (mismatches > 0) throw new Error(`${mismatches} echoes were not what was sent`);
  },
};

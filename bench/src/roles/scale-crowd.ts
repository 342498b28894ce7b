// A load-generator process of `pnpm bench:scale`: holds its share of the connections, spread over the
// server processes, and counts what each connection receives, so that nothing lost goes unnoticed.
import { sourceAddress } from '../libs/lean-client.js';
import { openRaw, type RawConn, type RawWire } from '../libs/raw-client.js';
import { ROOM_QUERY, TAGS, type Kind } from '../libs/scale-nodes.js';
import { sleep, wallClockMs } from '../timing.js';

const BROADCAST = TAGS.broadcast.charCodeAt(0);
const ROOM = TAGS.room.charCodeAt(0);

const conns: RawConn[] = [];
let members: Uint8Array = new Uint8Array(0);
let received: Record<Kind, Uint32Array> = { broadcast: new Uint32Array(0), room: new Uint32Array(0) };
const totals: Record<Kind, number> = { broadcast: 0, room: 0 };
let unknown = 0;
let pings = 0;
let dropped = 0;
let retried = 0;
/** Tries per connection when a server refuses a handshake it could not serve in time. */
const TRIES = 4;
/** How long after the opening deadline a handshake already started may still be tried again. */
const RETRY_GRACE_MS = 30_000;
let target: { kind: Kind; total: number; reachedAt?: number; wake?: () => void } | undefined;

function arrived(kind: Kind, index: number): void {
  const counts = received[kind];
  counts[index] = (counts[index] as number) + 1;
  totals[kind]++;
  if (target !== undefined && target.kind === kind && target.reachedAt === undefined && totals[kind] >= target.total) {
    target.reachedAt = wallClockMs();
    target.wake?.();
  }
}

export const commands = {
  /**
   * Opens up to `count` connections, `concurrency` handshakes at a time, from addresses spread over
   * 127/8; starts no new one after `timeoutMs` (a machine too busy for them all gives fewer, and the
   * run says so). Connection `first + i` of the whole run goes to server `(first + i) % ports.length`,
   * and joins the room when it is the 100th of that server's connections (1%).
   */
  async open({ wire, ports, first, count, round, concurrency, timeoutMs }: { wire: RawWire; ports: number[]; first: number; count: number; round: number; concurrency: number; timeoutMs: number }) {
    const deadline = Date.now() + timeoutMs;
    members = new Uint8Array(count);
    received = { broadcast: new Uint32Array(count), room: new Uint32Array(count) };
    let next = 0;
    const onPing = (): void => {
      pings++;
    };
    const onClose = (): void => {
      dropped++;
    };
    const worker = async (): Promise<void> => {
      while (next < count && Date.now() < deadline) {
        const index = next++;
        const global = first + index;
        const member = Math.floor(global / ports.length) % 100 === 0;
        members[index] = member ? 1 : 0;
        const onMessage = (tag: number): void => {
          if (tag === BROADCAST) arrived('broadcast', index);
          else if (tag === ROOM) arrived('room', index);
          else unknown++;
        };
        const open = (): Promise<RawConn> => openRaw(ports[global % ports.length] as number, wire, sourceAddress(round, index), { onMessage, onPing, onClose }, member ? ROOM_QUERY : '');
        conns.push(await withRetries(open, deadline + RETRY_GRACE_MS));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    // Every connection started has opened (a failure throws), so they are the first `conns.length`.
    return { opened: conns.length, members: members.reduce((sum, m) => sum + m, 0), retried };
  },

  /** CPU time this process has used so far, user and system, in microseconds. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  /** Heartbeats received so far, by all connections together. */
  pings: () => pings,

  /** From now on, notes the moment this process has received `total` messages of `kind` in all. */
  arm({ kind, total }: { kind: Kind; total: number }) {
    target = { kind, total };
    if (totals[kind] >= total) target.reachedAt = wallClockMs();
  },

  /** Resolves with the wall-clock time (ms) at which the armed total was reached; rejects after `timeoutMs`. */
  async reached({ timeoutMs }: { timeoutMs: number }) {
    const armed = target;
    if (armed === undefined) throw new Error('arm first');
    if (armed.reachedAt === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${totals[armed.kind]} of ${armed.total} ${armed.kind} messages arrived in ${timeoutMs} ms`)), timeoutMs);
        armed.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return armed.reachedAt as number;
  },

  /**
   * Checks every connection against what was sent: each got every broadcast once, each room member
   * every room message once, nobody else any; and no connection closed.
   */
  verify({ broadcasts, roomMessages }: { broadcasts: number; roomMessages: number }) {
    let missing = 0;
    let extra = 0;
    for (let i = 0; i < conns.length; i++) {
      for (const [got, wanted] of [[received.broadcast[i] as number, broadcasts], [received.room[i] as number, members[i] === 1 ? roomMessages : 0]] as const) {
        if (got < wanted) missing += wanted - got;
        else extra += got - wanted;
      }
    }
    return { missing, extra, unknown, dropped };
  },
};

/**
 * Opens a connection, trying again (after 100 ms, 200 ms, …; at most {@link TRIES} times, never past
 * `deadline`) when the server answers 408 or 503: on an overloaded machine a server may not get to a
 * handshake within its `handshakeTimeout`, and a real client would come back as these do. Each retry is
 * counted and reported.
 */
async function withRetries(open: () => Promise<RawConn>, deadline: number): Promise<RawConn> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      const refused = err instanceof Error && /Unexpected server response: (408|503)/.test(err.message);
      if (!refused || attempt >= TRIES || Date.now() + 100 * attempt > deadline) throw err;
      retried++;
      await sleep(100 * attempt);
    }
  }
}

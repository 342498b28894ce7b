// A crowd child: holds many lean connections (see libs/lean-client.ts) and counts what they receive.
import { openLean, sourceAddress, type LeanConn, type Wire } from '../libs/lean-client.js';

const conns: LeanConn[] = [];
let received = 0;
let target: { total: number; reached: () => void } | undefined;
let replies = 0;
let repliesWanted: { total: number; reached: () => void } | undefined;

function onMessage(): void {
  received++;
  if (target !== undefined && received >= target.total) target.reached();
}

function onReply(): void {
  replies++;
  if (repliesWanted !== undefined && replies >= repliesWanted.total) repliesWanted.reached();
}

export const commands = {
  /** Opens `count` connections, `concurrency` handshakes at a time, from addresses spread over 127/8. */
  async open({ wire, port, count, round, concurrency, timeoutMs }: { wire: Wire; port: number; count: number; round: number; concurrency: number; timeoutMs: number }) {
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        if (Date.now() > deadline) throw new Error(`opened only ${conns.length} of ${count} connections in ${timeoutMs} ms`);
        const index = next++;
        conns.push(await openLean(port, wire, sourceAddress(round, index), { onMessage, onReply }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return conns.length;
  },

  /** Every connection sends `text` once. */
  sendEach({ text }: { text: string }) {
    for (const conn of conns) conn.send(text);
    return conns.length;
  },

  /**
   * `corows` wire: every connection sends one request (its value 0) and the call resolves once every
   * one has its reply; rejects after `timeoutMs`. (Each connection also answers the server's requests.)
   */
  request({ timeoutMs }: { timeoutMs: number }) {
    const total = replies + conns.length;
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        repliesWanted = undefined;
        reject(new Error(`only ${replies} of ${total} replies arrived in ${timeoutMs} ms`));
      }, timeoutMs);
      repliesWanted = {
        total,
        reached: () => {
          clearTimeout(timer);
          repliesWanted = undefined;
          resolve(conns.length);
        },
      };
    });
    for (const conn of conns) conn.request(1, 0);
    return done;
  },

  /** Resolves once `total` messages have arrived in all (counted since the crowd opened); rejects after `timeoutMs`. */
  expect({ total, timeoutMs }: { total: number; timeoutMs: number }) {
    if (received >= total) return Promise.resolve(received);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        target = undefined;
        reject(new Error(`only ${received} of ${total} messages arrived in ${timeoutMs} ms`));
      }, timeoutMs);
      target = {
        total,
        reached: () => {
          clearTimeout(timer);
          target = undefined;
          resolve(received);
        },
      };
    });
  },
};

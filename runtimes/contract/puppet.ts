// The puppet: the peer every scenario runs against. It knows nothing of the scenarios: it echoes
// every message back as it came (text as text, binary as binary) and obeys commands, so the same
// scenario runs against a corows peer on any runtime, in a page, or Python's `websockets`
// (peers/python_peer.py speaks the same protocol).
//
// A command is one text message, the JSON object {"puppet": [step, ...]}; the steps run in order and
// their sends go out back to back:
//   {"send": "text"}                 one text frame
//   {"sendBinary": [0, 1, 255]}      one binary frame
//   {"sendRepeated": ["x", 1000]}    one text frame: the text repeated (large payloads)
//   {"close": [4001, "bye"]}         the closing handshake with this code and reason
//   {"report": "handshake"}          (server) one text frame: {"path": ..., "headers": [[name, value], ...]}
//   {"flood": [count, size]}         count text frames of size bytes, "<index>:" then dots
import type { Conn, Outcome } from './types.ts';

/** One step of a puppet command. */
export type Step =
  | { send: string }
  | { sendBinary: number[] }
  | { sendRepeated: [text: string, times: number] }
  | { close: [code: number, reason: string] }
  | { report: 'handshake' }
  | { flood: [count: number, size: number] };

/** The text message that makes the puppet run `steps`. */
export function command(...steps: Step[]): string {
  return JSON.stringify({ puppet: steps });
}

/** The frame `flood` sends as number `index`: `"<index>:"` padded with dots to `size` bytes. */
export function floodFrame(index: number, size: number): string {
  const head = `${index}:`;
  return head + '.'.repeat(Math.max(0, size - head.length));
}

/** What a server-side puppet knows of its connection. */
export interface PuppetHandshake {
  path: string;
  headers: Array<[string, string]>;
}

/**
 * Makes `conn` a puppet until it closes; `handshake` is what a server puppet reports of its upgrade
 * request. A command it cannot obey is reported as the puppet's failure in `scenario`.
 */
export function obey(conn: Conn, scenario: string, report: (outcome: Outcome) => void, handshake?: PuppetHandshake): Promise<void> {
  const started = Date.now();
  let chain = Promise.resolve();
  conn.whenRequest((value) => ({ echo: value }));
  return new Promise((resolve) => {
    conn.whenNewMsg((msg) => {
      if (msg === null) {
        void chain.then(resolve);
        return;
      }
      chain = chain.then(() => handle(conn, msg, handshake)).catch((err: unknown) => {
        report({ scenario, role: 'puppet', ok: false, error: `the puppet failed: ${err instanceof Error ? err.message : String(err)}`, ms: Date.now() - started });
      });
    });
  });
}

async function handle(conn: Conn, msg: string | Uint8Array, handshake: PuppetHandshake | undefined): Promise<void> {
  const steps = typeof msg === 'string' ? parseCommand(msg) : undefined;
  if (steps === undefined) {
    void (typeof msg === 'string' ? conn.sendMessage(msg) : conn.sendBinary(msg));
    return;
  }
  for (const step of steps) {
    if ('send' in step) void conn.sendMessage(step.send);
    else if ('sendBinary' in step) void conn.sendBinary(Uint8Array.from(step.sendBinary));
    else if ('sendRepeated' in step) void conn.sendMessage(step.sendRepeated[0].repeat(step.sendRepeated[1]));
    else if ('close' in step) await conn.close(...step.close);
    else if ('report' in step) {
      if (handshake === undefined) throw new Error('only a server puppet can report its handshake');
      void conn.sendMessage(JSON.stringify(handshake));
    } else if ('flood' in step) {
      const [count, size] = step.flood;
      for (let i = 0; i < count; i++) void conn.sendMessage(floodFrame(i, size));
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
}

function parseCommand(text: string): Step[] | undefined {
  if (!text.startsWith('{"puppet"')) return undefined;
  const parsed = JSON.parse(text) as { puppet?: unknown };
  if (!Array.isArray(parsed.puppet)) throw new Error(`a command needs a list of steps: ${text.slice(0, 100)}`);
  return parsed.puppet as Step[];
}

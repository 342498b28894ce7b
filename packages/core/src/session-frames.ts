import type { ControlFrame } from './session.js';
import type { Message } from './types.js';

// Stand-in for the protocol layer's framing (PROTOCOL.md §2) until it lands: control messages are a
// text frame starting with one U+0000, then a JSON object with a string `t`.

/** The control types of sessions (§5); `ack` is not sequenced, nor are the others. */
export const SESSION_TYPES: ReadonlySet<string> = new Set(['hello', 'welcome', 'refused', 'ack']);

/** One control message as a text frame. */
export function encodeControl(frame: ControlFrame): string {
  return `\u0000${JSON.stringify(frame)}`;
}

/** A control message if `msg` is one, `undefined` if it is application data, an `Error` if it is broken. */
export function decodeControl(msg: Message): ControlFrame | Error | undefined {
  if (typeof msg !== 'string' || msg.charCodeAt(0) !== 0 || msg.charCodeAt(1) === 0) return undefined;
  try {
    const frame: unknown = JSON.parse(msg.slice(1));
    if (typeof frame === 'object' && frame !== null && !Array.isArray(frame) && typeof (frame as ControlFrame).t === 'string') return frame as ControlFrame;
  } catch {
    // reported below
  }
  return new Error('a control message that is not a JSON object with a string t');
}

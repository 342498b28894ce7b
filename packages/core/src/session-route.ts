import { decodeControl, encodeControl, type ControlFrame } from './control.js';
import { CorowsError } from './errors.js';
import type { Link } from './link-api.js';
import { OPEN } from './socket.js';
import type { Message } from './types.js';

/** The session's own control types (PROTOCOL.md §5): not sequenced. */
const SESSION_TYPES: ReadonlySet<string> = new Set(['hello', 'welcome', 'refused', 'ack']);

/** What an arriving control message needs of the session layer (a `Session`, where there is one). */
export interface SessionPort {
  arrived(bytes: number): void;
  control(frame: ControlFrame): void;
}

/**
 * Routes an arriving control message past the session layer: `true` if it was the session's own
 * (`hello`, `welcome`, `refused`, `ack`), handled here; `false` if it goes on to the control plane (a
 * sequenced one is counted first). Without a session, a `hello` is answered with `refused`, code
 * `disabled`: this end keeps no sessions, and the peer goes on without one.
 */
export function routeControl(session: SessionPort | undefined, text: string, link: Link): boolean {
  const frame = decodeControl(text);
  if (typeof frame === 'string') return false; // the control plane reports it
  if (!SESSION_TYPES.has(frame.t)) {
    session?.arrived(text.length);
    return false;
  }
  if (session !== undefined) session.control(frame);
  else if (frame.t === 'hello') sendOwn(link, { t: 'refused', code: 'disabled', reason: 'this server keeps no sessions (its resume option is off)' });
  return true;
}

/** Writes one of the session's own control messages on `link` if it is open; `false` if not. */
export function sendOwn(link: Link, frame: ControlFrame): boolean {
  if (link.readyState !== OPEN) return false;
  link.send(encodeControl(frame), ignore);
  return true;
}

/** The size of an arriving message, for the acknowledgement policy (`bytes` where the socket tells it). */
export function unitSize(msg: Message, bytes: number | undefined): number {
  return bytes ?? (typeof msg === 'string' ? msg.length : msg.byteLength);
}

/** What a session's write gets when the link went down under it (the unit is kept, and replayed). */
export function linkDown(): Error {
  return new CorowsError('the link is down', { code: 'ERR_CLOSED' });
}

function ignore(): void {}

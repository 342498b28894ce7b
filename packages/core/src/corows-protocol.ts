import type { Link } from './link-api.js';
import { takeCorowsAgreed } from './negotiation.js';
import type { OutgoingData } from './outbox.js';
import type { Message } from './types.js';

/** Where the protocol layer hands what is its own (the {@link Pipeline}). */
export interface ProtocolReceiver {
  /** The heartbeat's control message: the peer's `ping` (`true`) or its `pong`. */
  heartbeatArrived(ping: boolean): void;
  /** A control message (its text, U+0000 first): requests, sessions. */
  controlArrived(text: string): void;
}

const NUL = 0;

/** The heartbeat's control messages (PROTOCOL.md §3), recognised without reading their JSON. */
export const PING = '\u0000{"t":"ping"}';
export const PONG = '\u0000{"t":"pong"}';


/**
 * The corows protocol layer of one connection (`docs/PROTOCOL.md`): what two corows ends add between
 * the socket and the inbox, agreed for each link in its handshake, so that a plain peer never sees a
 * byte of it. On an agreed link it takes the control messages (the heartbeat among them) out of the
 * stream of arriving frames, and frames the application's texts so that none can pass for one.
 */
export class CorowsProtocol {
  /** The peer agreed on the corows protocol on the current link. */
  agreed = false;

  /** A new link opened. */
  linkUp(link: Link): void {
    this.agreed = takeCorowsAgreed(link.socket, link.protocol);
  }

  /** An arriving frame: the application's message it carries, or `undefined` if it was the protocol's own (handed to `receiver`). */
  read(msg: Message, receiver: ProtocolReceiver): Message | undefined {
    if (!this.agreed || typeof msg !== 'string' || msg.charCodeAt(0) !== NUL) return msg;
    if (msg.charCodeAt(1) === NUL) return msg.slice(1);
    if (msg === PING || msg === PONG) receiver.heartbeatArrived(msg === PING);
    else receiver.controlArrived(msg);
    return undefined;
  }

  /** An application message as it goes on the current link. */
  encode(data: OutgoingData): OutgoingData {
    // An application text that starts with U+0000 gets one more in front (PROTOCOL.md §2).
    return this.agreed && typeof data === 'string' && data.charCodeAt(0) === NUL ? `\u0000${data}` : data;
  }
}

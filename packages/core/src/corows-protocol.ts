import { CorowsError } from './errors.js';
import type { Link } from './link-api.js';
import { isCorowsAgreed } from './negotiation.js';
import type { OutgoingData } from './outbox.js';
import type { Message } from './types.js';

/** Where the protocol layer hands what is its own (the {@link Pipeline}). */
export interface ProtocolReceiver {
  /** An empty binary frame: the browser heartbeat. */
  heartbeatArrived(): void;
  /** A control message (its text, U+0000 first): requests, sessions. */
  controlArrived(text: string): void;
}

const NUL = 0;

/**
 * The corows protocol layer of one connection (`docs/PROTOCOL.md`): what two corows ends add between
 * the socket and the inbox, agreed for each link in its handshake, so that a plain peer never sees a
 * byte of it. On an agreed link it takes the heartbeat and the control messages out of the stream of
 * arriving frames, and frames the application's texts so that none can pass for a control message.
 */
export class CorowsProtocol {
  /** The peer agreed on the corows protocol on the current link. */
  agreed = false;

  constructor(private readonly receiver: ProtocolReceiver) {}

  /** A new link opened. */
  linkUp(link: Link): void {
    this.agreed = isCorowsAgreed(link.socket, link.protocol);
  }

  /** An arriving frame: the application's message it carries, or `undefined` if it was the protocol's own. */
  read(msg: Message): Message | undefined {
    if (!this.agreed) return msg;
    if (typeof msg !== 'string') {
      if (msg.byteLength > 0) return msg;
      this.receiver.heartbeatArrived();
      return undefined;
    }
    if (msg.charCodeAt(0) !== NUL) return msg;
    if (msg.charCodeAt(1) === NUL) return msg.slice(1);
    this.receiver.controlArrived(msg);
    return undefined;
  }

  /** An application message as it goes on the current link. */
  encode(data: OutgoingData): OutgoingData {
    // An application text that starts with U+0000 gets one more in front (PROTOCOL.md §2).
    return this.agreed && typeof data === 'string' && data.charCodeAt(0) === NUL ? `\u0000${data}` : data;
  }

  /** Refuses what the application may not send on this link: an `Error`, or `undefined`. */
  refuse(data: OutgoingData): Error | undefined {
    if (this.agreed && typeof data !== 'string' && data.byteLength === 0) {
      return new CorowsError('sendBinary(): an empty binary message is the corows heartbeat on this connection (the corows protocol was agreed); send at least one byte', { code: 'ERR_RESERVED' });
    }
    return undefined;
  }
}

import { CorowsError } from './errors.js';
import { isHeartbeatMessage, readSelectedProtocol } from './heartbeat-protocol.js';
import type { OutgoingData } from './outbox.js';
import type { Message } from './types.js';

/**
 * The corows protocol layer of one connection: what two corows ends add between the socket and the
 * inbox, negotiated for each link through the subprotocol handshake, so that a plain peer never sees
 * a byte of it. Today it is the browser heartbeat (see `HEARTBEAT_PROTOCOL`); `docs/PROTOCOL.md`
 * describes the wire format.
 */
export class CorowsProtocol {
  /** The peer agreed on the corows heartbeat on the current link. */
  heartbeat = false;

  /** A new link opened, with the subprotocol its handshake settled on. */
  linkUp(selected: string): void {
    this.heartbeat = readSelectedProtocol(selected).heartbeat;
  }

  /** Whether an arriving message is the protocol's own (a heartbeat), not the application's. */
  isOwn(msg: Message): boolean {
    return this.heartbeat && isHeartbeatMessage(msg);
  }

  /** Refuses what the application may not send on this link: an `Error`, or `undefined`. */
  refuse(data: OutgoingData): Error | undefined {
    if (this.heartbeat && typeof data !== 'string' && data.byteLength === 0) {
      return new CorowsError('sendBinary(): an empty binary message is the corows heartbeat on this connection (subprotocol corows.heartbeat); send at least one byte', { code: 'ERR_RESERVED' });
    }
    return undefined;
  }
}

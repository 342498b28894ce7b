// Node only, like node-link.ts. The one file of core that reads `ws`'s private members; each use is
// behind a feature check and falls back to `ws`'s public behaviour (tested against the oldest and the
// newest `ws` the packages declare).

import type { NodeWebSocketLike } from './socket.js';

/** What `ws`'s `Receiver` (a Node `Writable`) holds about the message being read. */
interface WsReceiver {
  prependListener(event: 'error', listener: (this: WsReceiver, err: Error & { code?: unknown }) => void): unknown;
  _maxPayload: number;
  _totalPayloadLength: number;
  _messageLength: number;
  /** Bytes read from the socket and not yet parsed into frames. */
  _bufferedBytes: number;
  [OWNER]?: NodeWebSocketLike;
}

const OWNER = Symbol('corows.receiver-owner');

/**
 * Makes an oversized message close the connection with 1009 **and a reason that names the size and
 * the limit** (`ws` sends 1009 without a reason, and its error says only "Max payload size exceeded").
 * The limit counts a whole message across its fragments, and a frame is refused from its header, so
 * a peer announcing 1 GiB never makes this end buffer it. Call once the socket is open (its receiver
 * exists then). Where `ws`'s receiver is not as expected (another version, Bun's `ws`), `ws`'s own
 * close (1009, no reason) stands.
 */
export function explainOversize(socket: NodeWebSocketLike): void {
  const receiver = (socket as unknown as { _receiver?: Partial<WsReceiver> | null })._receiver; // null in Bun's `ws`
  if (typeof receiver?.prependListener !== 'function' || typeof receiver._maxPayload !== 'number') return;
  if (receiver[OWNER] !== undefined) return;
  receiver[OWNER] = socket;
  (receiver as WsReceiver).prependListener('error', onReceiverError);
}

// Runs before `ws`'s own listener, which then finds the close under way and only stops reading.
function onReceiverError(this: WsReceiver, err: Error & { code?: unknown }): void {
  if (err.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
  // The announced length, or (compressed) the length inflated so far.
  const size = Math.max(Number(this._totalPayloadLength) || 0, Number(this._messageLength) || 0);
  const reason = `message too big: at least ${size} bytes, over the limit of ${this._maxPayload} bytes (maxPayload)`;
  err.message = reason; // also the close reason this end reports
  try {
    this[OWNER]?.close(1009, reason);
  } catch {
    // the socket is closing already: `ws` sends its own 1009
  }
}

/**
 * Whether `socket` has read bytes it has not yet delivered as messages: more frames of the current
 * read (the ones after the message being handled), or the start of one. Then an answer to this
 * message is likely to be followed by answers to those, and is best held back to go with them. False
 * where `ws`'s receiver is not as expected.
 */
export function moreFramesBuffered(socket: NodeWebSocketLike): boolean {
  const receiver = (socket as unknown as { _receiver?: Partial<WsReceiver> | null })._receiver;
  return typeof receiver?._bufferedBytes === 'number' && receiver._bufferedBytes > 0;
}

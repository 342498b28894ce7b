import { CorowsError } from './errors.js';

/**
 * Throws the error that explains why a WebSocket in the WHATWG form (every browser's) cannot send the
 * handshake headers `names`, and what to do instead. Does nothing when `names` is empty.
 */
export function refuseHeaders(names: readonly string[]): void {
  if (names.length === 0) return;
  throw new CorowsError(
    `connectToWebsocket(): browsers cannot set WebSocket handshake headers (${names.join(', ')}); send a token as a subprotocol (the protocols option) or as a query parameter of the URL instead`,
    { code: 'ERR_UNSUPPORTED' },
  );
}

import type { ConnectOptions } from './connect.js';
import type { Dial } from './dial.js';
import { ArgumentProblem } from './argument-problem.js';
import { protocolsToOffer } from './negotiation.js';
import { refuseHeaders } from './refuse-headers.js';
import type { WebSocketConstructor } from './socket.js';

/**
 * `#dial` for browsers (the `browser` condition in package.json `imports`): the page's own
 * `WebSocket` (or `webSocketImpl`), read when connecting. Browsers cannot set handshake headers, so a
 * header table is refused, and so are TLS settings (the browser's certificate store decides); Node's
 * options (`maxPayload`, `perMessageDeflate`) do not apply; a refused handshake shows only as a close
 * before opening (browsers do not reveal the HTTP status). The corows protocol is offered as
 * subprotocols (browsers cannot set headers: see `COROWS_SUBPROTOCOL`).
 */
export function prepareDial(options: ConnectOptions): Dial {
  const Socket = options.webSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Socket !== 'function') throw new ArgumentProblem('noWebSocket');
  refuseHeaders(Object.keys(options.headers ?? {}));
  if (options.tls !== undefined) throw new ArgumentProblem('tls');
  const protocols = protocolsToOffer(options.protocols);
  return {
    headers: {},
    open: (href) => new Socket(href, protocols),
    watch: () => undefined,
  };
}

import type { ConnectOptions } from './connect.js';
import type { Dial } from './dial.js';
import { CorowsError } from './errors.js';
import { refuseHeaders } from './refuse-headers.js';
import type { DomWebSocketLike } from './socket.js';

type DomWebSocketConstructor = new (url: string, protocols?: string | string[]) => DomWebSocketLike;

/**
 * `#dial` for browsers (the `browser` condition in package.json `imports`): the page's own
 * `WebSocket`, read when connecting. Browsers cannot set handshake headers, so a header table is
 * refused; Node's options (`maxPayload`, `perMessageDeflate`) do not apply; and a refused handshake
 * shows only as a close before opening (browsers do not reveal the HTTP status).
 */
export function prepareDial(options: ConnectOptions): Dial {
  const Socket = (globalThis as { WebSocket?: DomWebSocketConstructor }).WebSocket;
  if (typeof Socket !== 'function') {
    throw new CorowsError('connectToWebsocket(): this environment has no WebSocket implementation', { code: 'ERR_UNSUPPORTED' });
  }
  refuseHeaders(Object.keys(options.headers ?? {}));
  return {
    headers: {},
    open: (href) => new Socket(href, options.protocols),
    watch: () => undefined,
  };
}

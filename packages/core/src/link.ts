import { domLink, isNodeWebSocket, nodeLink, type Link, type LinkListener, type WebSocketLike } from './socket.js';

/**
 * Listens to `socket` and reports to `listener`; the link's methods act on the socket. Node's `ws`
 * gets its richer interface (flow control, pings); any other socket, its WHATWG one. Browser builds
 * get `link.browser.ts` instead (package.json `imports` maps `#link` by export condition).
 */
export function openLink(socket: WebSocketLike, listener: LinkListener): Link {
  return isNodeWebSocket(socket) ? nodeLink(socket, listener) : domLink(socket, listener);
}

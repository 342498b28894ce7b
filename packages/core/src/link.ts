import { nodeLink } from './node-link.js';
import { domLink } from './dom-link.js';
import type { Link, LinkListener } from './link-api.js';
import { isNodeWebSocket, type NodeTransport, type WebSocketLike } from './socket.js';

/**
 * Listens to `socket` and reports to `listener`; the link's methods act on the socket. Node's `ws`
 * gets its richer interface (flow control, pings, and `transport`, the TCP socket under it, where the
 * caller knows it); any other socket, its WHATWG one. Browser builds
 * get `link.browser.ts` instead (package.json `imports` maps `#link` by export condition).
 */
export function openLink(socket: WebSocketLike, listener: LinkListener, transport?: NodeTransport): Link {
  return isNodeWebSocket(socket) ? nodeLink(socket, listener, transport) : domLink(socket, listener);
}

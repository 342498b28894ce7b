import { domLink } from './dom-link.js';
import type { Link, LinkListener } from './link-api.js';
import type { DomWebSocketLike, WebSocketLike } from './socket.js';

/**
 * `#link` for browsers (the `browser` condition in package.json `imports`): a page's sockets are WHATWG
 * `WebSocket`s, so every socket gets the WHATWG interface and no Node `ws` code reaches the bundle.
 */
export function openLink(socket: WebSocketLike, listener: LinkListener): Link {
  return domLink(socket as DomWebSocketLike, listener);
}

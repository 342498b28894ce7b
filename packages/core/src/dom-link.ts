import type { LinkListener, Link } from './link-api.js';
import type { OutgoingData } from './outbox.js';
import { SocketLink, type DomWebSocketLike, type WebSocketLike } from './socket.js';

/** A {@link Link} on a WHATWG `WebSocket` (browsers, Deno, Bun, undici): no flow control, no pings, no byte counts. */
export function domLink(socket: DomWebSocketLike, listener: LinkListener): Link {
  return new DomLink(socket, listener);
}

// A class rather than an object literal with getters and arrow functions (see NodeLink). It has none
// of a link's optional capabilities: a browser cannot pause a WebSocket, ping, or count bytes.
class DomLink extends SocketLink<DomWebSocketLike> implements Link {
  constructor(socket: DomWebSocketLike, listener: LinkListener) {
    super(socket);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => listener.onOpen();
    socket.onmessage = (ev) =>
      listener.onMessage(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer), undefined);
    socket.onclose = (ev) => listener.onClose(ev.code, ev.reason);
    socket.onerror = () => listener.onError(new Error('the WebSocket reported an error (browsers give no detail)'), undefined);
  }

  send(data: OutgoingData, done: (err?: Error) => void): void {
    this.socket.send(data);
    done();
  }

  sendWith<T>(write: (socket: WebSocketLike, arg: T) => void, arg: T): void {
    write(this.socket, arg);
  }

  terminate(): void {
    this.socket.close();
  }

  detach(): void {
    this.socket.onopen = null;
    this.socket.onmessage = null;
    this.socket.onclose = null;
    this.socket.onerror = null;
  }
}

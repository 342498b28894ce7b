/**
 * The stacks compared. `corows-handler` and `corows-receive` are corows in its two reading styles;
 * `uws` is uWebSockets.js, the ceiling (server only: its rows drive it with lean `ws` clients).
 */
export type LibId = 'uws' | 'ws' | 'corows-handler' | 'corows-receive' | 'socket.io';

/** What a bench server does with the messages it gets. */
export type ServerMode =
  /** Sends each message straight back. */
  | 'echo'
  /** The application reads nothing until `readAll()` (the slow-consumer row). */
  | 'hold'
  /** Answers each request with its own value (request-probe.ts): corows `whenRequest`, Socket.IO acknowledgements. */
  | 'reply';

/** A running bench server, the same shape whichever library serves. */
export interface ServerHandle {
  readonly port: number;
  /** Connections the application has been handed and that are still open. */
  connectionCount(): number;
  /** Sends `text` to every connection; returns what the library's call returned (a promise or not). */
  broadcast(text: string): unknown;
  /** How `broadcast` is done, for the report (e.g. `io.emit()`). */
  readonly broadcastMode: string;
  /** Sends `text` to every connection with one send call per connection (the library's plain send). */
  sendEach(text: string): unknown;
  /**
   * corows only: every connection starts serving requests (`conn.whenRequest`) and sends the client one
   * (`conn.request`); resolves with how many replies came, once all have. After it, each connection has
   * what using requests costs it (its control plane and request table).
   */
  useRequests?(timeoutMs: number): Promise<number>;
  /** `hold` mode: the application now reads every message; resolves with how many it read. */
  readAll(expected: number, deadline: number): Promise<number>;
  close(): Promise<void>;
}

/** One client connection that can keep echo traffic going. */
export interface EchoPeer {
  /**
   * Sends `inFlight` copies of `payload`; then, for each echo, reads it as the application would
   * (as a string), calls `onEcho()`, and sends `payload` again while `onEcho()` returns `true`.
   * A later call replaces `payload` and `onEcho`.
   */
  pump(payload: string, inFlight: number, onEcho: () => boolean): void;
  /** Echoes so far that were not what was sent. */
  readonly mismatches: number;
  close(): Promise<void>;
}

/** One client connection that asks the server and waits for each answer (request-probe.ts). */
export interface Requester {
  /** How a request is made, for the report (e.g. `conn.request()`). */
  readonly how: string;
  /** Sends `value` as a request and resolves with the server's answer. */
  request(value: number): Promise<unknown>;
  close(): Promise<void>;
}

/** A library as the bench drives it. */
export interface Lib {
  readonly id: LibId;
  /** Starts a server on 127.0.0.1, port 0. */
  listen(mode: ServerMode): Promise<ServerHandle>;
  /** Opens one client connection to a server of the same library. */
  connect(port: number): Promise<EchoPeer>;
  /** Libraries with request and reply: opens one client connection that makes requests. */
  connectRequester?(port: number): Promise<Requester>;
}

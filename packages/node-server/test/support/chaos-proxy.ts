/**
 * A TCP proxy for chaos tests: it forwards each connection it accepts to a target, and lets a test cut
 * the links it carries (FIN, RST, black hole, in the middle of the WebSocket handshake), make new links
 * fail for a while (refused, reset, black-holed), or cut at random from a seed, reproducibly.
 *
 * ```ts
 * const proxy = await ChaosProxy.start({ target: { host: '127.0.0.1', port } });
 * const conn = await connectToWebsocket(proxy.url, { reconnect: true });
 * proxy.cut('rst');                    // every live link
 * proxy.failNewLinks('refuse');        // the server is unreachable…
 * await proxy.acceptNewLinks();        // …until now
 * await proxy.close();
 * ```
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { ChaosLink, type CutKind, type CutMode } from './chaos-link.js';
import { ChaosRun, type ChaosRunOptions } from './chaos-run.js';

export { ChaosLink, ChaosRun };
export type { ChaosRunOptions, CutKind, CutMode };
export type { Direction, LinkState } from './chaos-link.js';

/** Options of {@link ChaosProxy.start}. */
export interface ChaosProxyOptions {
  /** Where each accepted connection is forwarded. */
  target: { host: string; port: number };
}

/**
 * What happens to new links while {@link ChaosProxy.failNewLinks} is in force. `refuse`: the proxy stops
 * listening, so connecting fails with ECONNREFUSED. `rst`: accepted, then reset at once. `blackhole`:
 * accepted, never answered (the handshake hangs). `{ during: 'request', afterBytes }`: forwarded until
 * `afterBytes` bytes of the client's upgrade request, then cut. `{ during: 'response' }`: cut right after
 * the server's 101 response, before any frame. `how` (mid-handshake cuts): `rst` in the request and
 * `fin` after the 101 unless told otherwise (an RST makes the client's kernel drop what it has not read
 * yet, the 101 as well: the client may then not even see the upgrade).
 */
export type NewLinkFault =
  | 'refuse'
  | 'rst'
  | 'blackhole'
  | { during: 'request'; afterBytes: number; how?: 'fin' | 'rst' }
  | { during: 'response'; how?: 'fin' | 'rst' };

/** What a proxy has done so far. */
export interface ChaosCounters {
  /** Connections accepted and forwarded (mid-handshake cuts included). */
  opened: number;
  /** Connections accepted and failed at once (`failNewLinks('rst' | 'blackhole')`). */
  failedAtAccept: number;
  /** Links cut, by what cut them. */
  cut: Record<CutKind, number>;
}

const LOCALHOST = '127.0.0.1';

/** A chaos TCP proxy on 127.0.0.1 (a free port). See the module's comment. */
export class ChaosProxy {
  readonly counters: ChaosCounters = {
    opened: 0,
    failedAtAccept: 0,
    cut: { fin: 0, rst: 0, blackhole: 0, 'mid-request': 0, 'after-101': 0 },
  };
  private readonly all = new Set<ChaosLink>();
  private readonly failedSockets = new Set<Socket>();
  private readonly linkListeners = new Set<(link: ChaosLink) => void>();
  private server: Server | undefined;
  private fault: { what: NewLinkFault; left: number } | undefined;
  private run: ChaosRun | undefined;
  private nextId = 1;
  private closing = false;

  private constructor(
    readonly target: { host: string; port: number },
    /** The port it listens on. */
    readonly port: number,
  ) {}

  /** Starts a proxy to `target` on 127.0.0.1 and a free port. */
  static async start(options: ChaosProxyOptions): Promise<ChaosProxy> {
    const probe = newServer();
    await listen(probe, 0);
    const port = (probe.address() as { port: number }).port;
    const proxy = new ChaosProxy(options.target, port);
    proxy.adopt(probe);
    return proxy;
  }

  /** A proxy closed when the test ends. */
  static async forTest(t: TestContext, options: ChaosProxyOptions): Promise<ChaosProxy> {
    const proxy = await ChaosProxy.start(options);
    t.after(() => proxy.close());
    return proxy;
  }

  /** `ws://127.0.0.1:<port>`. */
  get url(): string {
    return `ws://${LOCALHOST}:${this.port}`;
  }

  /** The links still forwarding, oldest first. */
  get links(): ChaosLink[] {
    return [...this.all].filter((link) => link.state === 'open');
  }

  /** Calls `listener` with each new link, before any byte is forwarded (arm cuts there). Returns an unsubscribe. */
  onLink(listener: (link: ChaosLink) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  /** Resolves with the next link the proxy opens. */
  nextLink(): Promise<ChaosLink> {
    return new Promise((resolve) => {
      const off = this.onLink((link) => {
        off();
        resolve(link);
      });
    });
  }

  /** Cuts `link`, or every live link; returns how many were cut. */
  cut(mode: CutMode, link?: ChaosLink): number {
    const targets = link === undefined ? this.links : [link];
    return targets.filter((each) => each.cut(mode)).length;
  }

  /**
   * Makes the next `count` new links (all of them, if not given) fail with `fault`, until
   * {@link acceptNewLinks}. `refuse` takes no count: nothing is accepted to be counted.
   */
  failNewLinks(fault: NewLinkFault, options: { count?: number } = {}): void {
    const count = options.count ?? Number.POSITIVE_INFINITY;
    if (fault === 'refuse') {
      if (options.count !== undefined) throw new TypeError("failNewLinks('refuse') takes no count: refused connections are never seen");
      this.server?.close();
      this.server = undefined;
    }
    if (typeof fault === 'object' && fault.during === 'request' && (!Number.isInteger(fault.afterBytes) || fault.afterBytes < 0)) {
      throw new RangeError(`failNewLinks: afterBytes must be an integer ≥ 0, got ${fault.afterBytes}`);
    }
    this.fault = { what: fault, left: count };
  }

  /** Ends {@link failNewLinks}: new links are forwarded again (after `refuse`, the proxy listens again on its port). */
  async acceptNewLinks(): Promise<void> {
    this.fault = undefined;
    if (this.server !== undefined || this.closing) return;
    const server = newServer();
    await listen(server, this.port).catch((err: Error) => {
      throw new Error(`the chaos proxy could not listen again on its port ${this.port}: ${err.message}`, { cause: err });
    });
    this.adopt(server);
  }

  /** Starts cutting at random (see {@link ChaosRunOptions}); one run at a time. Stop it with `run.stop()`. */
  cutRandomly(options: ChaosRunOptions): ChaosRun {
    if (this.run?.running) throw new Error('a random chaos run is already going on this proxy: stop it first');
    this.run = new ChaosRun(options, { links: () => this.links, onLink: (cb) => this.onLink(cb) });
    return this.run;
  }

  /** Stops listening and any random run, destroys every socket (black-holed ones too), and resolves once all are closed. */
  async close(): Promise<void> {
    this.closing = true;
    this.run?.stop();
    this.fault = undefined;
    const server = this.server;
    this.server = undefined;
    const stopped = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    const failed = [...this.failedSockets].map((socket) => {
      socket.destroy();
      return new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
    });
    await Promise.all([...[...this.all].map((link) => link.dispose()), ...failed, stopped]);
  }

  private adopt(server: Server): void {
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.closing) {
      socket.destroy();
      return;
    }
    const fault = this.takeFault();
    if (fault === 'rst' || fault === 'blackhole') {
      this.counters.failedAtAccept++;
      this.failedSockets.add(socket);
      socket.once('close', () => this.failedSockets.delete(socket));
      if (fault === 'rst') socket.resetAndDestroy();
      return;
    }
    const link = new ChaosLink(this.nextId++, socket, this.target, (_link, kind) => this.counters.cut[kind]++);
    this.all.add(link);
    void link.closed.then(() => this.all.delete(link));
    this.counters.opened++;
    if (typeof fault === 'object') {
      if (fault.during === 'request') link.cutAfter('up', fault.afterBytes, fault.how ?? 'rst', 'mid-request');
      else link.cutAfterResponseHead(fault.how ?? 'fin');
    }
    for (const listener of [...this.linkListeners]) listener(link);
  }

  private takeFault(): NewLinkFault | undefined {
    const fault = this.fault;
    if (fault === undefined) return undefined;
    if (--fault.left <= 0) this.fault = undefined;
    return fault.what;
  }
}

/** allowHalfOpen: each link passes ends on itself, so that a FIN and an RST stay what they are. */
function newServer(): Server {
  return createServer({ allowHalfOpen: true });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOCALHOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

import { connect, type Socket } from 'node:net';

/**
 * How a link is cut. `fin`: both sides get a clean TCP end. `rst`: both sides get a TCP reset
 * (`resetAndDestroy()`). `blackhole`: nothing is forwarded either way any more and nothing is closed, as
 * behind a dead NAT or a pulled cable: only a heartbeat finds out (the sockets are destroyed at `dispose()`).
 */
export type CutMode = 'fin' | 'rst' | 'blackhole';

/** What a cut is counted as: its mode, or a cut in the WebSocket handshake (made with `fin` or `rst`). */
export type CutKind = CutMode | 'mid-request' | 'after-101';

/** `up`: client → target; `down`: target → client. */
export type Direction = 'up' | 'down';

/** `open`: forwarding; `cut`: cut by the proxy; `closed`: an end closed it on its own. */
export type LinkState = 'open' | 'cut' | 'closed';

interface Trigger {
  /** Cut once this many bytes in all have been forwarded in the direction (the rest of the chunk is dropped). */
  at: number;
  mode: CutMode;
  kind: CutKind;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** A response head longer than this is not a WebSocket handshake's: give up looking for its end. */
const MAX_HEAD = 64 * 1024;

/**
 * One TCP connection carried by a {@link ChaosProxy}: the accepted client socket, the socket to the
 * target, forwarding both ways (with backpressure), ends and resets passed on as they come, until a cut.
 */
export class ChaosLink {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes forwarded client → target. */
  bytesUp = 0;
  /** Bytes forwarded target → client. */
  bytesDown = 0;
  state: LinkState = 'open';
  /** What cut this link, once cut. */
  cutBy: CutKind | undefined;
  /** Resolves once both sockets have closed. */
  readonly closed: Promise<void>;
  private readonly triggers: Partial<Record<Direction, Trigger>> = {};
  private responseHead: { mode: CutMode; seen: Buffer } | undefined;

  /** @param onCut told of every cut, once, as it happens (the proxy counts them). */
  constructor(
    readonly id: number,
    client: Socket,
    target: { host: string; port: number },
    private readonly onCut: (link: ChaosLink, kind: CutKind) => void,
  ) {
    this.client = client;
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    this.closed = Promise.all([closeOf(this.client), closeOf(this.upstream)]).then(() => {
      if (this.state === 'open') this.state = 'closed';
    });
    this.forward(this.client, this.upstream, 'up');
    this.forward(this.upstream, this.client, 'down');
  }

  /** Cuts the link now (a link that is no longer open is left as it is). Returns whether it cut. */
  cut(mode: CutMode): boolean {
    return this.cutAs(mode, mode);
  }

  /**
   * Cuts the link with `mode` once `bytes` more bytes have been forwarded in `direction`: the chunk
   * that crosses the mark is forwarded up to it, exactly, and the rest dropped. Replaces an earlier one.
   */
  cutAfter(direction: Direction, bytes: number, mode: CutMode, kind: CutKind = mode): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`cutAfter: bytes must be an integer ≥ 0, got ${bytes}`);
    this.triggers[direction] = { at: this.count(direction) + bytes, mode, kind };
  }

  /** Cuts the link with `mode` right after the target's HTTP response head (the 101), before any frame. */
  cutAfterResponseHead(mode: CutMode): void {
    if (this.bytesDown > 0) throw new Error(`link ${this.id}: the response has already begun, too late to cut after its head`);
    this.responseHead = { mode, seen: Buffer.alloc(0) };
  }

  /** Forgets every armed cut. */
  disarm(): void {
    delete this.triggers.up;
    delete this.triggers.down;
    this.responseHead = undefined;
  }

  /** Destroys both sockets, whatever the state (a black-holed link's too); resolves once they have closed. */
  dispose(): Promise<void> {
    this.client.destroy();
    this.upstream.destroy();
    return this.closed;
  }

  /** `cut` that counts as `kind`. */
  cutAs(mode: CutMode, kind: CutKind): boolean {
    if (this.state !== 'open') return false;
    this.state = 'cut';
    this.cutBy = kind;
    this.disarm();
    for (const socket of [this.client, this.upstream]) {
      if (mode === 'fin') {
        socket.end();
        socket.resume(); // read (and drop) until the peer's end, so the socket closes
      } else if (mode === 'rst') {
        if (!socket.destroyed) socket.resetAndDestroy();
      } else {
        socket.pause();
      }
    }
    this.onCut(this, kind);
    return true;
  }

  private count(direction: Direction): number {
    return direction === 'up' ? this.bytesUp : this.bytesDown;
  }

  private forward(from: Socket, to: Socket, direction: Direction): void {
    from.on('error', () => undefined); // a reset shows as 'close' with hadError, handled below
    from.on('data', (chunk: Buffer) => {
      if (this.state !== 'open') return;
      if (direction === 'down') this.watchResponseHead(chunk);
      const trigger = this.triggers[direction];
      const before = this.count(direction);
      const crosses = trigger !== undefined && before + chunk.length >= trigger.at;
      const piece = crosses ? chunk.subarray(0, trigger.at - before) : chunk;
      if (direction === 'up') this.bytesUp += piece.length;
      else this.bytesDown += piece.length;
      if (piece.length > 0 && !to.write(piece)) {
        from.pause();
        to.once('drain', () => {
          if (this.state === 'open') from.resume();
        });
      }
      if (crosses) this.cutAs(trigger.mode, trigger.kind);
    });
    from.on('end', () => {
      if (this.state === 'open') to.end();
    });
    from.on('close', (hadError) => {
      if (this.state !== 'open' || to.destroyed) return;
      if (hadError) to.resetAndDestroy();
      else to.end();
    });
  }

  /** Turns an armed "after the response head" cut into a byte trigger once the head's end is seen. */
  private watchResponseHead(chunk: Buffer): void {
    const watch = this.responseHead;
    if (watch === undefined) return;
    const seen = Buffer.concat([watch.seen, chunk]);
    const end = seen.indexOf(HEAD_END);
    if (end >= 0) {
      this.responseHead = undefined;
      this.triggers.down = { at: end + HEAD_END.length, mode: watch.mode, kind: 'after-101' };
    } else if (seen.length > MAX_HEAD) {
      this.responseHead = undefined;
    } else {
      watch.seen = seen;
    }
  }
}

function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

import { decodeControl, encodeControl } from './control.js';
import { CloseCode } from './close-codes.js';
import { CorowsError } from './errors.js';
import { Requests, type RequestWire } from './requests.js';

/** What the {@link ControlPlane} needs from its connection, beside what requests need. */
export interface ControlWire extends RequestWire {
  /** Reports a failure through the connection's `error` event. */
  reportError(err: Error): void;
  /** Closes the current link with `code` and `reason`. */
  closeLink(code: number, reason: string): void;
}

const REQUEST_TYPES: ReadonlySet<string> = new Set(['req', 'res', 'err', 'cancel']);

/**
 * The control messages of one connection (`docs/PROTOCOL.md` §2, §4): reads each one and hands it to
 * the part it is for. Made on first use, with its module: a connection that never sees a control
 * message has none.
 */
export class ControlPlane {
  readonly requests: Requests;

  constructor(private readonly wire: ControlWire) {
    this.requests = new Requests(wire);
  }

  /** A control message arrived (its text, U+0000 first). */
  arrived(text: string): void {
    const frame = decodeControl(text);
    if (typeof frame === 'string') {
      this.wire.reportError(new CorowsError(`the peer broke the corows protocol: ${frame}`, { code: 'ERR_PROTOCOL' }));
      this.wire.closeLink(CloseCode.ProtocolError, `corows protocol: ${frame}`.slice(0, 120));
      return;
    }
    if (REQUEST_TYPES.has(frame.t)) this.requests.control(frame);
    // A `hello` here: this end keeps no sessions (PROTOCOL.md §5.2); the peer goes on without one.
    else if (frame.t === 'hello') void this.wire.writeControl(encodeControl({ t: 'refused', code: 'disabled', reason: 'this server keeps no sessions (resume is off)' }));
    // A type this end does not know is ignored (PROTOCOL.md §2).
  }

  /** A link opened. */
  linkUp(): void {
    this.requests.linkUp();
  }

  /** The link dropped, and what was in flight on it is lost: pending work fails with `err`. */
  linkLost(err: Error): void {
    this.requests.linkLost(err);
  }

  /** The connection closed for good. */
  end(err: Error): void {
    this.requests.end(err);
  }
}

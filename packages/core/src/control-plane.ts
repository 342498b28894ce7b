import { decodeControl, encodeControl, type ControlFrame } from './control.js';
import { CloseCode } from './close-codes.js';
import { ConnectionClosedError, CorowsError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { Requests, type RequestWire } from './requests.js';

/** What this module gets from the connection's rather than import (see `RequestWire`). */
export type ControlTools = RequestWire['armCancel'];

const OPEN = 1;
const REQUEST_TYPES: ReadonlySet<string> = new Set(['req', 'res', 'err', 'cancel']);

/**
 * The control messages of one connection (`docs/PROTOCOL.md` §2, §4): reads each one and hands it to
 * the part it is for. Made on first use, with its module: a connection that never sees a control
 * message has none.
 */
export class ControlPlane {
  readonly requests: Requests;

  constructor(private readonly pipeline: Pipeline, armCancel: ControlTools) {
    this.requests = new Requests({
      // In a session, requests are units: taken (and held) while the link is down.
      agreement: () => (pipeline.endedWith !== undefined || (pipeline.link.readyState !== OPEN && pipeline.session === undefined) ? 'down' : pipeline.protocol.agreed ? 'agreed' : 'plain'),
      writeControl: (text) => pipeline.session?.send(text) ?? pipeline.writeFrame(text, 'a corows control message', () => new CorowsError('a corows control message could not be written: the link closed', { code: 'ERR_CLOSED' })),
      closedError: () => (pipeline.endedWith === undefined ? undefined : new ConnectionClosedError('request()', 'CLOSED', pipeline.endedWith)),
      armCancel,
    });
  }

  /**
   * A control message arrived (its text, U+0000 first). `frame` is what the session layer read of it,
   * if the connection is in a session (the frame, or what is wrong with it): it is not read twice.
   */
  arrived(text: string, frame: ControlFrame | string = decodeControl(text)): void {
    if (typeof frame === 'string') {
      this.pipeline.owner.reportError(new CorowsError(`the peer broke the corows protocol: ${frame}`, { code: 'ERR_PROTOCOL' }), false);
      const { link } = this.pipeline;
      try {
        link.close(CloseCode.ProtocolError, `corows protocol: ${frame}`.slice(0, 120));
      } catch {
        link.terminate();
      }
      return;
    }
    if (REQUEST_TYPES.has(frame.t)) this.requests.control(frame);
    // A `hello` here: this end keeps no sessions (PROTOCOL.md §5.2); the peer goes on without one.
    else if (frame.t === 'hello') void this.pipeline.writeFrame(encodeControl({ t: 'refused', code: 'disabled', reason: 'this server keeps no sessions (resume is off)' }), 'refused', () => new Error('closed'));
    // A type this end does not know is ignored (PROTOCOL.md §2).
  }

  /** A link opened. */
  linkUp(): void {
    this.requests.linkUp();
  }

  /** The link dropped with `code`, and what was in flight on it is lost. */
  linkLost(code: number): void {
    this.requests.linkLost(noReply('CONNECTING', code, 'the link dropped (with `resume`, requests survive that)'));
  }

  /** The session ended (`reason`) and the connection goes on in a new one: what was in flight in it is lost. */
  sessionEnded(reason: string): void {
    const err = new ConnectionClosedError('request()', 'CONNECTING');
    err.message = `no reply: the session ended (${reason}); the connection goes on in a new session`;
    this.requests.linkLost(err);
  }

  /** The connection closed for good with `code`. */
  end(code: number): void {
    this.requests.end(noReply('CLOSED', code, 'the connection closed'));
  }
}

/** What a request whose reply can no longer come rejects with. */
function noReply(state: string, code: number, what: string): ConnectionClosedError {
  const err = new ConnectionClosedError('request()', state, code);
  err.message = `no reply: ${what} (close code ${code})`;
  return err;
}

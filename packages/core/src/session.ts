import { AckPolicy } from './ack-policy.js';
import { decodeControl, encodeControl, type ControlFrame } from './control.js';
import { CorowsError } from './errors.js';
import type { Message } from './types.js';
import type { OutgoingData } from './outbox.js';
import { UnitLog, type UnitBounds } from './unit-log.js';

export type { ControlFrame };

/** What a {@link Session} uses of the current link (the connection's link fits it). */
export interface SessionLink {
  /** The WebSocket `readyState`: 1 while open. */
  readonly readyState: number;
  /** Writes one frame; `done` gets an error if it could not be written. */
  send(data: string, done: (err?: Error) => void): void;
  /** Starts the closing handshake. Throws if the code or reason is invalid. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake. */
  terminate(): void;
}

/** Where a {@link Session} writes (the connection's pipeline): the current link, below the session. */
export interface SessionHost {
  /** The current link. */
  readonly link: SessionLink;
  /** Whether the current link agreed on the corows protocol (PROTOCOL.md §1). */
  readonly protocol: { readonly agreed: boolean };
  /** Writes one frame as it is (policy, then socket); resolves like a send. */
  writeFrame(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null>;
}

/** The session's own control types (PROTOCOL.md §5): not units. */
const SESSION_TYPES: ReadonlySet<string> = new Set(['hello', 'welcome', 'refused', 'ack']);
/** The control types that are units (PROTOCOL.md §5.3): counted. Others (a later version's) are not. */
const UNIT_TYPES: ReadonlySet<string> = new Set(['req', 'res', 'err', 'cancel']);
const OPEN = 1;

/** What an end does with the session's own messages other than `ack`: `hello`, `welcome`, `refused`. */
export type HandshakeHandler = (frame: ControlFrame) => void;

/**
 * One end of a session (PROTOCOL.md §5), the layer between the protocol's framing and the link:
 * numbers and keeps every unit this end sends until the peer acknowledges it, writes units only while
 * a link carries the session (`live`) and holds them otherwise, counts the units that arrive and
 * acknowledges them in batches (`AckPolicy`), and replays what the peer missed when a new link
 * starts. Which link, and whether the session may go on, is the end's business (client: the
 * reconnector; server: its session supervisor), told through `handshake` and `overflow`.
 */
export class Session {
  log = new UnitLog();
  readonly acks: AckPolicy;
  private host: SessionHost | undefined;
  private live = false;

  constructor(
    /** This end's bounds on what it keeps. */
    readonly bounds: UnitBounds,
    private readonly handshake: HandshakeHandler,
    /** A send would exceed the bounds (`reason` says which): the end ends the session. */
    private readonly overflow: (reason: string) => void,
  ) {
    this.acks = new AckPolicy((n) => this.live && this.say({ t: 'ack', n }));
  }

  /** Whether the current link carries the session (units are written, not only kept). */
  get isLive(): boolean {
    return this.live;
  }

  /** Whether the current link agreed on the corows protocol (sessions need it). */
  get agreed(): boolean {
    return this.host?.protocol.agreed === true;
  }

  /** Units received in the session so far. */
  get received(): number {
    return this.acks.received;
  }

  /** Connects the session to the connection's pipeline. */
  bind(host: SessionHost): void {
    this.host = host;
  }

  /**
   * Takes one unit (an encoded application message or sequenced control message): numbers it, keeps
   * it, writes it if live. Resolves `null` once taken (a failed write is replayed on the next link);
   * an error if it would exceed the bounds, which ends the session.
   */
  send(data: OutgoingData): Promise<Error | null> {
    const unit = copy(data);
    const bytes = sizeOf(unit);
    if (this.log.count + 1 > this.bounds.maxUnacked || this.log.bytes + bytes > this.bounds.maxUnackedBytes) {
      const reason = this.log.count + 1 > this.bounds.maxUnacked
        ? `session bound exceeded: more than ${this.bounds.maxUnacked} messages unacknowledged`
        : `session bound exceeded: more than ${this.bounds.maxUnackedBytes} bytes unacknowledged`;
      this.overflow(reason);
      return Promise.resolve(new CorowsError(`send refused: ${reason}; the session ended`, { code: 'ERR_SESSION_BOUND' }));
    }
    this.log.push(unit, bytes);
    return this.live ? this.write(unit).then(() => null) : Promise.resolve(null);
  }

  /** Writes one control message of the session's own on the open link; `false` if there is none. */
  say(frame: ControlFrame): boolean {
    const link = this.host?.link;
    if (link?.readyState !== OPEN) return false;
    link.send(encodeControl(frame), ignore);
    return true;
  }

  /** The peer broke the session protocol: the link closes with 1002 and `reason`. */
  broken(reason: string): void {
    const link = this.host?.link;
    try {
      link?.close(1002, reason.slice(0, 120));
    } catch {
      link?.terminate();
    }
  }

  /** An application message arrived (`bytes`: its size, where the socket tells it). */
  delivered(msg: Message, bytes: number | undefined): void {
    this.acks.arrived(bytes ?? (typeof msg === 'string' ? msg.length : msg.byteLength));
  }

  /**
   * A control message arrived (its text, U+0000 first), read here once: `null` if it was the
   * session's own (`hello`, `welcome`, `refused`, `ack`), handled here; otherwise what goes on to the
   * control plane: the frame (counted first if it is a unit), or what is wrong with it (the control plane
   * reports it and closes the link).
   */
  route(text: string): ControlFrame | string | null {
    const frame = decodeControl(text);
    if (typeof frame === 'string') return frame;
    if (SESSION_TYPES.has(frame.t)) {
      this.control(frame);
      return null;
    }
    if (UNIT_TYPES.has(frame.t)) this.acks.arrived(text.length);
    return frame;
  }

  /** A sequenced unit of `bytes` arrived (it goes on to the application). */
  arrived(bytes: number): void {
    this.acks.arrived(bytes);
  }

  /** A control message of §5 arrived. */
  control(frame: ControlFrame): void {
    if (frame.t !== 'ack') {
      this.handshake(frame);
      return;
    }
    const problem = typeof frame.n === 'number' ? this.log.ack(frame.n) : 'an ack without a count n';
    if (problem !== undefined) this.broken(`corows session: ${problem}`);
  }

  /**
   * The current link carries the session from now on: replays every unit after `peerReceived`, then
   * writes new ones as they come. Returns an error text if `peerReceived` is impossible.
   */
  start(peerReceived: number): string | undefined {
    const units = this.log.after(peerReceived);
    if (typeof units === 'string') return units;
    this.acks.reportedNow();
    this.live = true;
    for (const unit of units) void this.write(unit.data);
    return undefined;
  }

  private write(data: OutgoingData): Promise<Error | null> {
    return (this.host as SessionHost).writeFrame(data, 'send()', linkDown);
  }

  /** The link went down: hold units until the next {@link Session.start}. */
  suspend(): void {
    this.live = false;
    this.acks.stop();
  }

  /**
   * Forgets the session (it ended, or a new one starts): returns how many sent units were not
   * acknowledged, which may not have arrived.
   */
  reset(): number {
    this.suspend();
    const missing = this.log.count;
    this.log = new UnitLog();
    this.acks.reset();
    return missing;
  }
}

function ignore(): void {}

function linkDown(): Error {
  return new CorowsError('the link is down (the message is kept, and sent again on the next link)', { code: 'ERR_CLOSED' });
}

/** Binary data is copied when taken: a caller reusing its buffer must not change what is replayed. */
function copy(data: OutgoingData): OutgoingData {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/** A unit's size in bytes (UTF-8 for text). */
export function sizeOf(data: OutgoingData): number {
  if (typeof data !== 'string') return data.byteLength;
  let bytes = data.length;
  for (let at = 0; at < data.length; at += 1) {
    const code = data.charCodeAt(at);
    if (code >= 0xd800 && code <= 0xdfff) bytes += 1; // each half of a surrogate pair: 4 bytes over 2 units
    else if (code >= 0x800) bytes += 2;
    else if (code >= 0x80) bytes += 1;
  }
  return bytes;
}

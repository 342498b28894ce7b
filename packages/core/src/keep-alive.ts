import { heard, heartbeatGroup, leaveGroup, startBeats, stopBeats, suspendBeats, type HeartbeatMember, type HeartbeatRingNode } from './heartbeat.js';
import type { KeepAliveSettings } from './keep-alive-options.js';
import type { Link } from './link-api.js';
import type { HeartbeatMode } from './types.js';

/** What a connection's {@link KeepAlive} drives. */
export interface Beater {
  /** The current link. */
  readonly link: Link;
  /** Sends the corows heartbeat message; `false` if it could not go. */
  sendHeartbeat(): boolean;
  /** Makes the link report pongs (needed where it cannot count the bytes it reads). */
  watchPongs(): void;
  /** Nothing came from the peer in time: the link is dead. */
  linkTimedOut(reason: string): void;
}

/**
 * Dead-peer detection for one connection: its member in the heartbeat group of its settings (one timer
 * for every connection with the same settings, see `HeartbeatGroup`). On each open link it chooses how
 * to beat from what the link can do: WebSocket pings where the link has them (Node), else the corows
 * heartbeat message where the peer agreed on it (a browser talking to a corows server), else nothing.
 */
export class KeepAliveMember implements HeartbeatMember {
  ringPrev: HeartbeatRingNode | undefined = undefined;
  ringNext: HeartbeatRingNode | undefined = undefined;
  beatState = 0;
  /** How the current link is beaten. */
  mode: HeartbeatMode = 'off';
  /**
   * The bytes the link had read when the last beat went, where it counts them: then any byte read
   * after a ping (its pong, or a message) is a sign of life, and the socket needs no pong listener.
   */
  private bytesAtBeat: number | undefined = undefined;

  constructor(settings: KeepAliveSettings, private readonly beater: Beater) {
    heartbeatGroup(settings).add(this, false);
  }

  /** A link opened: choose how to beat it (`heartbeatAgreed`: the peer takes corows heartbeats). */
  start(link: Link, heartbeatAgreed: boolean, readingPaused: boolean): void {
    this.mode = link.ping !== undefined ? 'protocol' : heartbeatAgreed ? 'message' : 'off';
    if (this.mode === 'off') stopBeats(this);
    else startBeats(this, readingPaused);
  }

  /** The link closed. */
  stop(): void {
    stopBeats(this);
  }

  /** For good: the connection closed. */
  leave(): void {
    leaveGroup(this);
  }

  /** Something came from the peer. */
  heard(): void {
    heard(this);
  }

  /** Reading paused (`true`): the peer's answers wait unread, so its silence proves nothing. */
  suspend(paused: boolean): void {
    suspendBeats(this, paused);
  }

  beat(): void {
    const { link } = this.beater;
    if (this.mode === 'message') {
      this.beater.sendHeartbeat();
      return;
    }
    this.bytesAtBeat = link.bytesRead;
    if (this.bytesAtBeat === undefined) this.beater.watchPongs(); // only the pong can tell then
    link.ping?.();
  }

  heardSinceBeat(): boolean {
    const bytes = this.beater.link.bytesRead;
    return bytes !== undefined && this.bytesAtBeat !== undefined && bytes > this.bytesAtBeat;
  }

  timedOut(reason: string): void {
    this.beater.linkTimedOut(reason);
  }
}

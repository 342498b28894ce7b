/** Default {@link KeepAliveOptions.interval}, in milliseconds (the LuatOS client's advice: 30 s). */
export const DEFAULT_KEEP_ALIVE_INTERVAL = 30_000;

/**
 * Dead-peer detection: every `interval` a heartbeat goes to the peer, and a peer that has sent
 * nothing at all (no answer, no message) within `timeout` of it is declared dead: the connection
 * closes with code 1006 (`CloseCode.Abnormal`) and a reason that starts with `heartbeat timeout`.
 * A frozen peer is so detected within `interval + timeout`.
 *
 * The heartbeat is a WebSocket ping where the runtime can send one (Node); in a browser, which cannot,
 * it is the corows heartbeat message, which only a corows server is asked to answer (see
 * `negotiateSubprotocol`). LuatOS: `ws:start(keepAlive)`, there in seconds, here in milliseconds.
 */
export interface KeepAliveOptions {
  /**
   * Milliseconds between two heartbeats.
   * @default 30000
   */
  interval?: number;
  /**
   * Milliseconds of silence after a heartbeat before the peer is declared dead.
   * @default the interval
   */
  timeout?: number;
}

/**
 * `keepAlive` as the options take it: a number is the interval in milliseconds (the timeout is the
 * same), `true` the defaults, `false` or `0` no heartbeat.
 */
export type KeepAlive = number | boolean | KeepAliveOptions;

/** A resolved {@link KeepAlive}. */
export interface KeepAliveSettings {
  readonly interval: number;
  readonly timeout: number;
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * Checks and completes a `keepAlive` option; `undefined` means no heartbeat. Throws a `RangeError`
 * naming `where` and the bad value.
 */
export function resolveKeepAlive(value: KeepAlive | undefined, where: string): KeepAliveSettings | undefined {
  if (value === undefined || value === false || value === 0) return undefined;
  const options: KeepAliveOptions = value === true ? {} : typeof value === 'number' ? { interval: value } : value;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: keepAlive must be a number of milliseconds, a boolean or { interval, timeout }, got ${typeof value}`);
  }
  const interval = options.interval ?? DEFAULT_KEEP_ALIVE_INTERVAL;
  const timeout = options.timeout ?? interval;
  for (const [name, ms] of [['interval', interval], ['timeout', timeout]] as const) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1 || ms > MAX_DELAY) {
      throw new RangeError(`${where}: keepAlive ${name} must be a number of milliseconds from 1 to ${MAX_DELAY}, got ${String(ms)}`);
    }
  }
  // Settings that need nothing filled in are used as they are: a server's connections share its one object.
  return options.interval === interval && options.timeout === timeout ? (options as KeepAliveSettings) : { interval, timeout };
}

type Timer = ReturnType<typeof setTimeout>;

/** Lets the process exit while only heartbeat timers are left (Node); browsers have no `unref`. */
function unref<T extends Timer | ReturnType<typeof setInterval>>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** A connection's current link, as the heartbeat sees it. */
export interface HeartbeatMember {
  /** Sends one heartbeat to the peer (a ping, or the corows heartbeat message). */
  beat(): void;
  /** Nothing was heard within the timeout of a beat: the peer is dead. The member has left its group. */
  timedOut(reason: string): void;
  /**
   * Whether anything came from the peer since the last beat, for a member that can tell without
   * `heard()` calls (a server connection counts the bytes its TCP socket read). Asked when a beat's
   * timeout ends; without it, only `heard()` keeps the member.
   */
  heardSinceBeat?(): boolean;
}

/** A member's state in its group: waiting for nothing, not to be judged (suspended), or for the answer to round n ≥ 1. */
const IDLE = 0;
const SUSPENDED = -1;

/**
 * The heartbeat of every connection with the same settings: one interval timer for all of them (the
 * `ws` README's pattern) instead of timers and closures per connection, which cost about 0.5 KB each
 * (heap snapshots of 10,000 idle server connections).
 *
 * Every `interval` (a round) it beats each member that is not still waiting for an answer to an
 * earlier beat (a member that says it heard from its peer since, with `heardSinceBeat`, is not); `heard(member)` (anything came from the peer) answers it; a member that has not been
 * heard (nor says it was: `heardSinceBeat`) `timeout` after its beat is dropped from the group and
 * told `timedOut`. A silent peer is so
 * detected within `interval + timeout`. Members share the rounds: a new member's first beat comes at
 * the next round, within `interval`.
 */
export class HeartbeatGroup {
  /** Each member and its state: {@link IDLE}, {@link SUSPENDED}, or the round of its unanswered beat. */
  private readonly members = new Map<HeartbeatMember, number>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private round = 0;

  constructor(readonly settings: KeepAliveSettings) {}

  /** Adds a member; its first beat comes at the next round. */
  add(member: HeartbeatMember): void {
    this.members.set(member, IDLE);
    this.ticker ??= unref(setInterval(() => this.tick(), this.settings.interval));
  }

  /** Removes a member (its link closed); idempotent. The last one out stops the timer. */
  delete(member: HeartbeatMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Something came from the member's peer: it is alive. */
  heard(member: HeartbeatMember): void {
    if ((this.members.get(member) ?? IDLE) > IDLE) this.members.set(member, IDLE);
  }

  /**
   * `true`: the member stopped reading from its socket (its inbox is full), so the peer's answers
   * wait unread and its silence proves nothing; `false`: it reads again.
   */
  suspend(member: HeartbeatMember, suspended: boolean): void {
    if (this.members.has(member)) this.members.set(member, suspended ? SUSPENDED : IDLE);
  }

  private tick(): void {
    const round = ++this.round;
    let beaten = false;
    for (const [member, state] of this.members) {
      if (state === SUSPENDED || (state !== IDLE && member.heardSinceBeat?.() !== true)) continue;
      this.members.set(member, round);
      beaten = true;
      member.beat();
    }
    if (beaten) unref(setTimeout(() => this.expire(round), this.settings.timeout));
  }

  private expire(round: number): void {
    const reason = `heartbeat timeout: no answer from the peer within ${this.settings.timeout} ms`;
    for (const [member, state] of this.members) {
      if (state !== round) continue;
      if (member.heardSinceBeat?.() === true) {
        this.members.set(member, IDLE);
        continue;
      }
      this.delete(member);
      member.timedOut(reason);
    }
  }
}

/** The shared groups, by settings (an application uses few; an empty group has no timer). */
const groups = new Map<string, HeartbeatGroup>();

/** The heartbeat group of every connection of this process (or page) with these settings. */
export function heartbeatGroup(settings: KeepAliveSettings): HeartbeatGroup {
  const key = `${settings.interval}/${settings.timeout}`;
  let group = groups.get(key);
  if (group === undefined) {
    group = new HeartbeatGroup(settings);
    groups.set(key, group);
  }
  return group;
}

import type { KeepAliveSettings } from './keep-alive-options.js';

// The heartbeat groups, loaded with the keep-alive (`keep-alive-loader.ts`): a page without `keepAlive` never loads them.

type Timer = ReturnType<typeof setTimeout>;

/**
 * Runs `task` after the input already waiting has been read: `setImmediate` in Node (after the poll
 * phase), a new task elsewhere.
 */
function afterPendingInput(task: () => void): void {
  if (typeof setImmediate === 'function') setImmediate(task);
  else setTimeout(task, 0);
}

/** Lets the process exit while only heartbeat timers are left (Node); browsers have no `unref`. */
function unref<T extends Timer | ReturnType<typeof setInterval>>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** A place in a heartbeat group's ring: each member has one, and so has the group itself. */
export interface HeartbeatRingNode {
  /** The previous node of the ring; `undefined` while not in a ring. Kept by the group. */
  ringPrev: HeartbeatRingNode | undefined;
  /** The next node of the ring; `undefined` while not in a ring. Kept by the group. */
  ringNext: HeartbeatRingNode | undefined;
}

/**
 * A connection, as the heartbeat sees it. It carries its group's bookkeeping (its place in the ring
 * and `beatState`): a group needs no table of its members (docs/benchmarks.md: where the memory goes).
 */
export interface HeartbeatMember extends HeartbeatRingNode {
  /** Kept by the group and the functions below: {@link IDLE}, {@link SUSPENDED}, {@link OFF}, or the round of an unanswered beat. */
  beatState: number;
  /** Sends one heartbeat to the peer (a ping, or the corows heartbeat message). */
  beat(): void;
  /** Nothing was heard within the timeout of a beat: the peer is dead. The member is off until {@link startBeats}. */
  timedOut(reason: string): void;
  /**
   * Whether anything came from the peer since the last beat, for a member that can tell without
   * {@link heard} calls (a server connection counts the bytes its TCP socket read). Asked when a beat's
   * timeout ends; without it, only `heard()` keeps the member.
   */
  heardSinceBeat?(): boolean;
}

/** A member's state: waiting for nothing. (A positive state is the round of a beat not yet answered.) */
const IDLE = 0;
/** Not beaten nor judged for now: its connection stopped reading (its answers wait unread). */
const SUSPENDED = -1;
/** Not beaten nor judged: no open link, or a peer that cannot take part. */
const OFF = -2;

/** Something came from the member's peer: it is alive. */
export function heard(member: HeartbeatMember): void {
  if (member.beatState > IDLE) member.beatState = IDLE;
}

/** The member's link opened: it is beaten from the next round (or, `suspended`, once {@link suspendBeats} lets it). */
export function startBeats(member: HeartbeatMember, suspended: boolean): void {
  if (member.ringNext !== undefined) member.beatState = suspended ? SUSPENDED : IDLE;
}

/** The member's link closed, or its peer cannot take part: it is not beaten until {@link startBeats}. */
export function stopBeats(member: HeartbeatMember): void {
  member.beatState = OFF;
}

/**
 * `true`: the member stopped reading from its socket (its inbox is full), so the peer's answers wait
 * unread and its silence proves nothing; `false`: it reads again.
 */
export function suspendBeats(member: HeartbeatMember, suspended: boolean): void {
  if (member.ringNext === undefined || member.beatState === OFF) return;
  member.beatState = suspended ? SUSPENDED : IDLE;
}

/** Takes the member out of its group's ring; idempotent. (An emptied group stops its timer at its next round.) */
export function leaveGroup(member: HeartbeatMember): void {
  const { ringPrev, ringNext } = member;
  if (ringPrev === undefined || ringNext === undefined) return;
  ringPrev.ringNext = ringNext;
  ringNext.ringPrev = ringPrev;
  member.ringPrev = undefined;
  member.ringNext = undefined;
  member.beatState = OFF;
}

/**
 * The heartbeat of every connection with the same settings: one interval timer for all of them (the
 * `ws` README's pattern) instead of timers and closures per connection. Its members form a ring
 * through themselves.
 *
 * Every `interval` (a round) it beats each member that is beating and not still waiting for the
 * answer to an earlier beat (or that says, with `heardSinceBeat`, that it heard from its peer since).
 * `heard(member)` answers a beat. A member neither heard nor saying it was `timeout` after its beat
 * is told `timedOut` and is off from then on. A silent peer is so detected within
 * `interval + timeout`. Members share the rounds: a new member's first beat comes at the next round,
 * within `interval`.
 */
export class HeartbeatGroup implements HeartbeatRingNode {
  ringPrev: HeartbeatRingNode = this;
  ringNext: HeartbeatRingNode = this;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private round = 0;

  constructor(readonly settings: KeepAliveSettings) {}

  /**
   * Adds a member (taking it out of any other group): beaten from the next round, or, with `beating`
   * false, only once {@link startBeats} says so.
   */
  add(member: HeartbeatMember, beating = true): void {
    leaveGroup(member);
    member.ringPrev = this.ringPrev;
    member.ringNext = this;
    this.ringPrev.ringNext = member;
    this.ringPrev = member;
    member.beatState = beating ? IDLE : OFF;
    this.ticker ??= unref(setInterval(() => this.tick(), this.settings.interval));
  }

  /** Removes a member; idempotent. The last one out stops the timer. */
  delete(member: HeartbeatMember): void {
    leaveGroup(member);
    this.stopIfEmpty();
  }

  /** The members, oldest first; a member that leaves while this runs may end the walk early. */
  private *members(): Generator<HeartbeatMember> {
    for (let node: HeartbeatRingNode | undefined = this.ringNext; node !== this && node !== undefined; ) {
      const next: HeartbeatRingNode | undefined = node.ringNext;
      yield node as HeartbeatMember;
      node = next;
    }
  }

  private stopIfEmpty(): boolean {
    if (this.ringNext !== this) return false;
    clearInterval(this.ticker);
    this.ticker = undefined;
    return true;
  }

  private tick(): void {
    if (this.stopIfEmpty()) return;
    const round = ++this.round;
    let beaten = false;
    for (const member of this.members()) {
      const state = member.beatState;
      if (state === OFF || state === SUSPENDED || (state !== IDLE && member.heardSinceBeat?.() !== true)) continue;
      member.beatState = round;
      beaten = true;
      member.beat();
    }
    // Judged only once the input already waiting has been read: after a stall (a long GC pause, a busy
    // loop) the timer is overdue when the loop wakes, and would otherwise run before the pongs that
    // arrived meanwhile are read.
    if (beaten) unref(setTimeout(() => afterPendingInput(() => this.expire(round)), this.settings.timeout));
  }

  private expire(round: number): void {
    const dead: HeartbeatMember[] = [];
    for (const member of this.members()) {
      if (member.beatState !== round) continue;
      if (member.heardSinceBeat?.() === true) member.beatState = IDLE;
      else dead.push(member);
    }
    // Told after the walk: a dead member may leave the ring, or make others leave.
    const reason = `heartbeat timeout: no answer from the peer within ${this.settings.timeout} ms`;
    for (const member of dead) {
      member.beatState = OFF;
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

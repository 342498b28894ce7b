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
  return { interval, timeout };
}

type Timer = ReturnType<typeof setTimeout>;

/** Lets the process exit while only a heartbeat timer is left (Node); browsers have no `unref`. */
function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * One connection's heartbeat timers. Every `interval` it calls `beat` (send a ping), unless an earlier
 * one is still unanswered; `heard()` (anything came from the peer) answers it; if nothing is heard
 * within `timeout` of a beat, `dead` is called once and the heartbeat stops.
 */
export class Heartbeat {
  private readonly ticker: ReturnType<typeof setInterval>;
  private deadline: Timer | undefined;
  private suspended = false;
  private stopped = false;

  constructor(
    private readonly settings: KeepAliveSettings,
    private readonly beat: () => void,
    private readonly dead: (reason: string) => void,
  ) {
    this.ticker = unref(setInterval(() => this.tick(), settings.interval));
  }

  /** Something came from the peer: it is alive. */
  heard(): void {
    if (this.deadline === undefined) return;
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /**
   * We stopped reading from the socket (the inbox is full): the peer's answers wait unread, so its
   * silence proves nothing until {@link Heartbeat.resume}.
   */
  suspend(): void {
    this.suspended = true;
    this.heard();
  }

  /** Reading again. */
  resume(): void {
    this.suspended = false;
  }

  /** Stops every timer; idempotent. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    this.heard();
  }

  private tick(): void {
    if (this.stopped || this.suspended || this.deadline !== undefined) return;
    const { timeout } = this.settings;
    this.deadline = unref(
      setTimeout(() => {
        this.stop();
        this.dead(`heartbeat timeout: no answer from the peer within ${timeout} ms`);
      }, timeout),
    );
    this.beat();
  }
}

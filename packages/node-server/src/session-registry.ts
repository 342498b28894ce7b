import { timingSafeEqual } from 'node:crypto';

/** Why a `hello` was refused (PROTOCOL.md §5.2): the `code` member of `refused`. */
export type RefusalCode = 'unknown' | 'ended' | 'secret' | 'in-use' | 'bad-hello' | 'disabled';

/** A refused `hello`: its code and the reason the client is told. */
export interface SessionRefusal {
  readonly code: RefusalCode;
  readonly reason: string;
}

/** How many ended sessions' reasons are remembered, to tell a late client why (oldest forgotten first). */
const ENDED_KEPT = 10_000;
const ROUTING_ID = /^[A-Za-z0-9_-]{16,64}$/;
const SECRET_BYTES = 16;

interface Entry<S> {
  readonly secret: Buffer;
  readonly session: S;
  /** The window's timer while the client is away. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A server's live sessions by routing id, with their secrets (128 random bits each, compared in
 * constant time) and their windows: a session whose client stays away longer than `window` ms is
 * ended through `expire`. It also remembers, within bounds, why recent sessions ended, so that a client
 * coming back late hears the real reason rather than "unknown".
 */
export class SessionRegistry<S> {
  private readonly live = new Map<string, Entry<S>>();
  private readonly ended = new Map<string, string>();

  constructor(
    private readonly window: number,
    /** The window passed: the server ends the session with `reason` (already forgotten here). */
    private readonly expire: (session: S, reason: string) => void,
  ) {}

  /** Live sessions. */
  get size(): number {
    return this.live.size;
  }

  /** Checks a routing id's form; a refusal, or `undefined`. */
  static checkId(id: string | null): SessionRefusal | undefined {
    if (id !== null && ROUTING_ID.test(id)) return undefined;
    return { code: 'bad-hello', reason: 'the corows_session parameter must be 16 to 64 base64url characters' };
  }

  /**
   * Opens a session under `id`, made by `make` with its secret (base64url); a refusal if `id` is taken
   * (a new session never displaces a live one: the routing id is not a credential).
   */
  open(id: string, make: (secret: string) => S): S | SessionRefusal {
    if (this.live.has(id)) return { code: 'in-use', reason: 'a live session already has this routing id' };
    const secret = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
    const entry: Entry<S | undefined> = { secret, session: undefined, timer: undefined };
    this.live.set(id, entry as Entry<S>);
    this.ended.delete(id);
    (entry as { session: S }).session = make(secret.toString('base64url'));
    return entry.session as S;
  }

  /** The session `id` if `secret` is its secret; otherwise a refusal, and the session is left alone. */
  resume(id: string, secret: unknown): S | SessionRefusal {
    const entry = this.live.get(id);
    if (entry === undefined) {
      const why = this.ended.get(id);
      return why === undefined
        ? { code: 'unknown', reason: 'no such session on this server (it ended, or lives on another node or a restarted process)' }
        : { code: 'ended', reason: why };
    }
    if (!sameSecret(entry.secret, secret)) return { code: 'secret', reason: 'wrong secret' };
    return entry.session;
  }

  /** The client of `id` went away: its window starts. */
  away(id: string): void {
    const entry = this.live.get(id);
    if (entry === undefined || entry.timer !== undefined) return;
    entry.timer = setTimeout(() => {
      const reason = `session expired: the client did not come back within ${this.window} ms`;
      this.end(id, reason);
      this.expire(entry.session, reason);
    }, this.window);
  }

  /** The client of `id` is back: no window. */
  back(id: string): void {
    const entry = this.live.get(id);
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    if (entry !== undefined) entry.timer = undefined;
  }

  /** Forgets session `id`, remembering `reason`. */
  end(id: string, reason: string): void {
    const entry = this.live.get(id);
    if (entry === undefined) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.live.delete(id);
    this.ended.set(id, reason);
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.keys().next().value as string);
  }
}

/** Whether `given` (base64url text) is `secret`, in time independent of where they differ. */
function sameSecret(secret: Buffer, given: unknown): boolean {
  const bytes = typeof given === 'string' ? Buffer.from(given, 'base64url') : Buffer.alloc(0);
  if (bytes.length !== secret.length) {
    timingSafeEqual(secret, secret); // the same work either way
    return false;
  }
  return timingSafeEqual(bytes, secret);
}

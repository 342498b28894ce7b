import type { UnitBounds } from './unit-log.js';

/** Default {@link ResumeOptions.window}: 2 minutes. */
export const DEFAULT_RESUME_WINDOW = 120_000;
/** Default {@link ResumeOptions.maxUnacked}. */
export const DEFAULT_MAX_UNACKED = 4096;
/** Default {@link ResumeOptions.maxUnackedBytes}: 4 MiB. */
export const DEFAULT_MAX_UNACKED_BYTES = 4 * 1024 * 1024;

/**
 * Sessions (`resume`): the limits of one end. Each end keeps what it sent until the peer acknowledges
 * it, so that a new link can replay it; these bound that memory. A session whose bound is exceeded
 * ends (the server's connection closes; the client emits `reset` and starts a new session).
 */
export interface ResumeOptions {
  /**
   * Server only: milliseconds a client may stay away (no link) before its session ends; the
   * connection then closes with 1006 and a reason starting `session expired`.
   * @default 120000
   */
  window?: number;
  /**
   * Messages (and requests, replies) this end keeps unacknowledged at most. The peer acknowledges
   * after a quarter of this, or 100 ms after the last message, whichever comes first.
   * @default 4096
   */
  maxUnacked?: number;
  /**
   * Bytes this end keeps unacknowledged at most.
   * @default 4194304 (4 MiB)
   */
  maxUnackedBytes?: number;
}

/** {@link ResumeOptions} with every default filled in. */
export interface ResumeSettings extends UnitBounds {
  readonly window: number;
}

/**
 * Reads `resume` (`true`, `false`/`undefined` or the options); throws a `TypeError`/`RangeError` naming
 * `caller`. `describeValue` quotes a bad value (given, so that a browser chunk imports nothing internal).
 */
export function resolveResume(resume: boolean | ResumeOptions | undefined, caller: string, describeValue: (value: unknown) => string): ResumeSettings | undefined {
  if (resume === undefined || resume === false) return undefined;
  if (resume === true) return { window: DEFAULT_RESUME_WINDOW, maxUnacked: DEFAULT_MAX_UNACKED, maxUnackedBytes: DEFAULT_MAX_UNACKED_BYTES };
  if (typeof resume !== 'object' || resume === null) {
    throw new TypeError(`${caller}: resume must be true, false or { window, maxUnacked, maxUnackedBytes }, got ${describeValue(resume)}`);
  }
  const unknown = Object.keys(resume).filter((key) => key !== 'window' && key !== 'maxUnacked' && key !== 'maxUnackedBytes');
  if (unknown.length > 0) throw new TypeError(`${caller}: unknown resume option ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  return {
    window: whole(resume.window, DEFAULT_RESUME_WINDOW, 2 ** 31 - 1, `${caller}: resume.window`, describeValue),
    maxUnacked: whole(resume.maxUnacked, DEFAULT_MAX_UNACKED, Number.MAX_SAFE_INTEGER, `${caller}: resume.maxUnacked`, describeValue),
    maxUnackedBytes: whole(resume.maxUnackedBytes, DEFAULT_MAX_UNACKED_BYTES, Number.MAX_SAFE_INTEGER, `${caller}: resume.maxUnackedBytes`, describeValue),
  };
}

function whole(value: number | undefined, fallback: number, max: number, name: string, describeValue: (value: unknown) => string): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= 1 && value <= max)) throw new RangeError(`${name} must be a whole number from 1 to ${max}, got ${describeValue(value)}`);
  return value;
}

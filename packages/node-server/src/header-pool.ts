import type { IncomingHttpHeaders } from 'node:http';

/** Headers whose values are mostly the same on every connection of a server. */
const SHAREABLE = [
  'host',
  'connection',
  'upgrade',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'origin',
  'user-agent',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'pragma',
] as const;

/** Values longer than this are never pooled, so the pool stays small whatever clients send. */
const MAX_VALUE_LENGTH = 256;

/**
 * One copy per server of the header values that repeat across its connections (the host, the fixed
 * handshake values, a browser's origin, user agent and languages), in compact copies of the headers.
 * `conn.headers` lives as long as its connection, and Node makes new strings for every request:
 * shared, they are kept once (docs/benchmarks.md says how much that saves). The pool holds at
 * most `maxValues` values of at most 256 characters; past that, values are kept as they come.
 */
export class HeaderPool {
  private readonly values = new Map<string, string>();

  constructor(private readonly maxValues = 1024) {}

  /** A compact copy of `headers` (see {@link compactCopy}) whose shareable values are the pool's copies. */
  share(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const copy = compactCopy(headers);
    for (const name of SHAREABLE) {
      const value = copy[name];
      if (typeof value !== 'string') continue;
      const pooled = this.values.get(value);
      if (pooled !== undefined) copy[name] = pooled;
      else if (value.length <= MAX_VALUE_LENGTH && this.values.size < this.maxValues) this.values.set(value, value);
    }
    return copy;
  }
}

/**
 * A copy of `headers` with every property inside the object. Node builds `req.headers` one property
 * at a time, so V8 keeps the fifth and later ones in a separate array with room to grow, kept as long
 * as `conn.headers`; `JSON.parse` makes objects that fit their
 * properties exactly. (Header values are strings or arrays of strings: JSON keeps them as they are.)
 */
function compactCopy(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return JSON.parse(JSON.stringify(headers)) as IncomingHttpHeaders;
}

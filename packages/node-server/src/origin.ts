/**
 * Checks the `Origin` of upgrade requests against `allowedOrigins` (cross-site WebSocket hijacking:
 * a page on another site opening a socket with the user's cookies).
 */
export class OriginPolicy {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  /** `rules` were checked by `resolveOptions`; `undefined` allows every origin. */
  constructor(private readonly rules: readonly (string | RegExp)[] | undefined) {
    for (const rule of rules ?? []) {
      if (rule instanceof RegExp) this.patterns.push(rule);
      else this.exact.add(normalize(rule) as string);
    }
  }

  /** Whether a request with this `Origin` header (or none) may connect. */
  allows(origin: string | undefined): boolean {
    if (this.rules === undefined || origin === undefined) return true;
    const normalized = normalize(origin);
    if (normalized !== undefined && this.exact.has(normalized)) return true;
    return this.patterns.some((pattern) => {
      pattern.lastIndex = 0;
      return pattern.test(origin);
    });
  }
}

/** `scheme://host[:port]` in lower case without a default port, or `undefined` for `null` and garbage. */
function normalize(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

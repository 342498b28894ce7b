// Assertions for the contract scenarios. They run in Node, Bun, Deno and a browser page alike, so they
// use nothing but the language: Message values are compared by a canonical rendering.

/** Renders a value for comparison and for messages: bytes as `bytes[…]`, everything else as JSON. */
export function show(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes[${value.join(',')}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${show(item)}`).join(', ')}}`;
  }
  return typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
}

/** Fails with `what` and both values unless `actual` renders as `expected` does. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  const [got, want] = [show(actual), show(expected)];
  if (got !== want) throw new Error(`${what}: expected ${clip(want)}, got ${clip(got)}`);
}

/** Fails with `what` unless `condition` holds. */
export function ok(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/** Fails unless `text` is a string matching `pattern`. */
export function match(text: unknown, pattern: RegExp, what: string): void {
  if (typeof text !== 'string' || !pattern.test(text)) throw new Error(`${what}: expected text matching ${pattern}, got ${clip(show(text))}`);
}

/** Fails unless `value` is an instance of `type` (by class, then by name for a clearer message). */
export function isA<T>(value: unknown, type: abstract new (...args: never[]) => T, what: string): asserts value is T {
  if (!(value instanceof type)) {
    const got = value instanceof Error ? `${value.name}: ${value.message}` : clip(show(value));
    throw new Error(`${what}: expected a ${type.name}, got ${got}`);
  }
}

/** Awaits `promise` and returns what it rejected with; fails if it resolved. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    const value = await promise;
    throw new Unexpected(`${what}: expected a rejection, resolved ${clip(show(value))}`);
  } catch (err) {
    if (err instanceof Unexpected) throw err;
    return err;
  }
}

class Unexpected extends Error {}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
}

/** Fails unless `actual` is a `Uint8Array` holding exactly the bytes of `expected`. */
export function sameBytes(actual: unknown, expected: Uint8Array, what: string): void {
  isA(actual, Uint8Array, what);
  if (actual.length !== expected.length) throw new Error(`${what}: expected ${expected.length} bytes, got ${actual.length}`);
  const first = actual.findIndex((byte, i) => byte !== expected[i]);
  if (first >= 0) throw new Error(`${what}: byte ${first} is ${actual[first]}, expected ${expected[first]}`);
}

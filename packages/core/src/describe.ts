/** The message of `err` if it is an `Error`, else `err` as text. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The type of `value` as an error message names it: `null`, `string`, or a class name such as `Date`. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Longest quoted value an error message repeats in full. */
const MAX_QUOTED = 60;

/**
 * `value` as an error message quotes it: a string in quotes (`"5"`, so that it does not pass for the
 * number 5), a number, boolean or bigint as written (`NaN`, `-1`, `5n`), a plain object or an array as
 * JSON (`{"messages":0}`), a function as `a function`, any other object by its class (`Date`). Quotes
 * longer than 60 characters are cut short with `…`.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  const type = typeName(value);
  if (type === 'string' || type === 'Object' || type === 'Array') {
    try {
      const json = JSON.stringify(value);
      return json.length <= MAX_QUOTED ? json : `${json.slice(0, MAX_QUOTED - 1)}…`;
    } catch {
      return type; // a cycle, or a bigint inside
    }
  }
  return typeof value === 'object' && value !== null ? type : String(value);
}

/** Throws a `TypeError` naming `method` unless `handler` is a function. */
export function checkFunction(handler: unknown, method: string): void {
  if (typeof handler !== 'function') throw new TypeError(`${method} takes a function, got ${typeName(handler)}`);
}

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

/**
 * `value` as an error message quotes it: a string in quotes (`"5"`, so that it does not pass for the
 * number 5), a number or boolean as it is, anything else by its type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return Array.isArray(value) ? 'an array' : typeName(value);
}

/** Throws a `TypeError` naming `method` unless `handler` is a function. */
export function checkFunction(handler: unknown, method: string): void {
  if (typeof handler !== 'function') throw new TypeError(`${method} takes a function, got ${typeName(handler)}`);
}

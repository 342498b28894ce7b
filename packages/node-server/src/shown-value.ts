/** Longest value an error message repeats in full. */
const MAX_SHOWN = 60;

/**
 * A value as an error message shows it: a string quoted as given (`"5"`, never mistaken for the
 * number 5), a number as written (`NaN`, `-1`), an object as (shortened) JSON, a function by kind.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return shorten(JSON.stringify(value));
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    if (value instanceof RegExp) return String(value);
    try {
      return shorten(JSON.stringify(value) ?? Object.prototype.toString.call(value));
    } catch {
      return Object.prototype.toString.call(value); // a cycle, a BigInt inside
    }
  }
  return String(value);
}

function shorten(text: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 1)}…`;
}

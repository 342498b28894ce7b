import type { Message } from '@corows/node-server';

/** How to show a message. */
export interface FormatOptions {
  /** Pretty-print text that is a JSON object or array. */
  json?: boolean;
  /** Show at most this many characters of text or bytes of binary, then `… (N bytes)`. */
  limit?: number;
  /** Keep it on one line: text with line breaks or other control characters is shown as a JSON string. */
  oneLine?: boolean;
}

/**
 * A message as one printable string: text as it is (pretty-printed if it is JSON and `json` is on),
 * binary as `<binary N bytes: 01 02 …>`.
 */
export function formatMessage(msg: Message, options: FormatOptions = {}): string {
  const limit = options.limit ?? Infinity;
  if (typeof msg !== 'string') {
    const shown = msg.subarray(0, limit);
    const hex = Array.from(shown, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const more = msg.length > shown.length ? ' …' : '';
    return `<binary ${msg.length} byte${msg.length === 1 ? '' : 's'}${hex === '' ? '' : ': '}${hex}${more}>`;
  }
  if (options.json === true) {
    const pretty = prettyJson(msg);
    if (pretty !== undefined) return pretty;
  }
  const text = msg.length > limit ? `${msg.slice(0, limit)}… (${Buffer.byteLength(msg)} bytes)` : msg;
  return options.oneLine === true && /[\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

function prettyJson(text: string): string | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/** Bytes from hex digits, spaces allowed (`/binary 01 02 ff`); `undefined` if it is not hex. */
export function parseHex(text: string): Uint8Array | undefined {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined;
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

import type { HeaderValues } from './types.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE_CHAR = /[\r\n\0]/;
/** Headers the WebSocket handshake sets itself; a user value would corrupt it. */
const HANDSHAKE_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/**
 * Turns the seed's header table into what the handshake sends: an array becomes several values of the
 * header (numbers become strings), a string or number one value. Throws a `TypeError` naming the
 * header if a name or value is not valid HTTP or belongs to the handshake itself.
 */
export function normalizeHeaders(table: HeaderValues): Record<string, string | string[]> {
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new TypeError(`connectToWebsocket(): headers must be an object of header names to values, got ${Array.isArray(table) ? 'an array' : String(table)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(table)) {
    if (!TOKEN.test(name)) throw new TypeError(`connectToWebsocket(): invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (HANDSHAKE_HEADERS.has(lower)) {
      const hint = lower === 'sec-websocket-protocol' ? '; use the protocols option' : '';
      throw new TypeError(`connectToWebsocket(): header ${JSON.stringify(name)} is set by the WebSocket handshake itself${hint}`);
    }
    headers[name] = Array.isArray(value) ? value.map((item) => headerValue(name, item)) : headerValue(name, value);
  }
  return headers;
}

function headerValue(name: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    throw new TypeError(`connectToWebsocket(): header ${JSON.stringify(name)} must be a string, a number or an array of them, got ${value === null ? 'null' : typeof value}`);
  }
  if (BAD_VALUE_CHAR.test(value)) {
    throw new TypeError(`connectToWebsocket(): header ${JSON.stringify(name)} has a line break or NUL in its value`);
  }
  return value;
}

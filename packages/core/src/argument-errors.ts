import type { CorowsError } from './errors.js';

/** What the errors below take from the module that loads this one. */
interface Tools {
  describeValue(value: unknown): string;
  CorowsError: typeof CorowsError;
}

/**
 * The errors of wrong arguments to `connectToWebsocket()` and `close()`, keyed by the check that failed
 * (see `ArgumentProblem`). A module of its own, loaded when a check fails. It imports nothing: what it
 * needs is given (`describeValue`, and `CorowsError`, so that its errors are the page's own class even if
 * the bundle was imported under another URL, such as with a query string).
 */
const problems = {
  addressType: (addr) => new TypeError(`connectToWebsocket(): the address must be a ws:// or wss:// URL string, got ${addr === null ? 'null' : typeof addr}`),
  addressInvalid: (addr) => new TypeError(`connectToWebsocket(): invalid address ${JSON.stringify(addr)}: expected a URL such as ws://127.0.0.1:1042/path`),
  addressScheme: (addr) => new TypeError(`connectToWebsocket(): the address ${JSON.stringify(addr)} uses ${new URL(addr as string).protocol}//, expected ws:// or wss://`),
  addressFragment: (addr) => new TypeError(`connectToWebsocket(): the address ${JSON.stringify(addr)} has a fragment (${new URL(addr as string).hash}), which WebSocket URLs cannot carry`),
  optionsType: (arg) => new TypeError(`connectToWebsocket(): the second argument must be a header table or an options object, got ${Array.isArray(arg) ? 'an array' : typeof arg}`),
  optionsUnknown: (keys) =>
    new TypeError(`connectToWebsocket(): unknown option ${(keys as string[]).map((key) => JSON.stringify(key)).join(', ')}; to send headers with other options, put them under { headers: { ... } }`),
  timeout: (ms, { describeValue }) => new RangeError(`connectToWebsocket(): timeout must be a number of milliseconds from 0 to 2147483647, got ${describeValue(ms)}`),
  maxPayload: (bytes, { describeValue }) => new RangeError(`connectToWebsocket(): maxPayload must be a whole number of bytes, at least 1, got ${describeValue(bytes)}`),
  noWebSocket: (_, { CorowsError }) => new CorowsError('connectToWebsocket(): this environment has no WebSocket implementation; pass one as the webSocketImpl option', { code: 'ERR_UNSUPPORTED' }),
  headers: (names, { CorowsError }) =>
    new CorowsError(
      `connectToWebsocket(): browsers cannot set WebSocket handshake headers (${(names as string[]).join(', ')}); send a token as a subprotocol (the protocols option) or as a query parameter of the URL instead`,
      { code: 'ERR_UNSUPPORTED' },
    ),
  tls: (_, { CorowsError }) => new CorowsError('connectToWebsocket(): browsers use their own certificate store and client certificates; the tls option works in Node only', { code: 'ERR_UNSUPPORTED' }),
  closeCode: (args, { describeValue }) =>
    closeRefused(args, describeValue, 'the code must be 1000 (normal), 1001–1003, 1007–1014, or 3000–4999 (4000–4999 are free for applications)'),
  closeReasonType: (args, { describeValue }) => closeRefused(args, describeValue, 'the reason must be a string'),
  closeReasonLength: (args, { describeValue }) => closeRefused(args, describeValue, 'the reason must be at most 123 bytes of UTF-8'),
} satisfies Record<string, (value: unknown, tools: Tools) => Error>;

/** Which check failed: a key of the messages above. */
export type ProblemId = keyof typeof problems;

/** The error that explains the failed check `id` about `value`. */
export function explain(id: ProblemId, value: unknown, tools: Tools): Error {
  return problems[id](value, tools);
}

/** `close(code, reason)`'s `RangeError`: `args` is `[code, reason]`. */
function closeRefused(args: unknown, describeValue: (value: unknown) => string, problem: string): RangeError {
  const [code, reason] = args as [unknown, unknown];
  return new RangeError(`close(${describeValue(code)}, ${describeValue(reason)}) refused: ${problem}`);
}

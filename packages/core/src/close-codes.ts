import { ArgumentProblem, rejectWith } from './argument-problem.js';

/**
 * Close codes corows uses or reports, by name (RFC 6455 §7.4.1). Applications may use 4000–4999 for
 * their own.
 */
export const CloseCode = {
  /** The purpose of the connection has been fulfilled. */
  Normal: 1000,
  /** The server is shutting down, or a browser page is navigating away. */
  GoingAway: 1001,
  /** The peer broke the WebSocket protocol. */
  ProtocolError: 1002,
  /** The peer sent a kind of data that cannot be accepted. */
  UnsupportedData: 1003,
  /** No close frame came: the connection dropped (never sent on the wire). */
  Abnormal: 1006,
  /** A text message was not valid UTF-8. */
  InvalidPayload: 1007,
  /** A message broke the receiver's policy (for example a rate limit). */
  PolicyViolation: 1008,
  /** A message was larger than `maxPayload`. */
  MessageTooBig: 1009,
  /** The server met an unexpected condition. */
  InternalError: 1011,
  /** The server is restarting: reconnecting later may work. */
  ServiceRestart: 1012,
  /** The server is overloaded: reconnecting later may work. */
  TryAgainLater: 1013,
} as const;

/** One of the named {@link CloseCode} values. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a connection closed with `code` is worth opening again: drops, restarts and overloads are;
 * a normal close, a refusal or a protocol, data or policy error is not (it would fail the same way).
 */
export function isRetryableCloseCode(code: number): boolean {
  return code === CloseCode.GoingAway || code === CloseCode.Abnormal || code === CloseCode.InternalError ||
    code === CloseCode.ServiceRestart || code === CloseCode.TryAgainLater;
}

/**
 * `undefined` if `close(code, reason)` can send this close frame, else a promise rejected with a
 * `RangeError` naming the rule it breaks: RFC 6455 lets an endpoint send 1000–1003, 1007–1014 and
 * 3000–4999, with a reason of at most 123 bytes of UTF-8. (The message is built by
 * `argument-errors.ts`, loaded when needed.)
 */
export function refuseClose(code: unknown, reason: unknown): Promise<never> | undefined {
  const problem =
    typeof code !== 'number' || !Number.isInteger(code) || !isSendableCloseCode(code)
      ? 'closeCode'
      : typeof reason !== 'string'
        ? 'closeReasonType'
        : new TextEncoder().encode(reason).length > 123
          ? 'closeReasonLength'
          : undefined;
  return problem === undefined ? undefined : rejectWith(new ArgumentProblem(problem, [code, reason]));
}

function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

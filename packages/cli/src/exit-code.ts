import { CloseCode } from '@corows/node-server';

/** 1005: the close frame carried no code (never sent on the wire, so not among the named codes). */
const NO_STATUS = 1005;

/**
 * The exit code of a session the server ended: 0 if it closed on purpose (1000, 1001, or no code
 * given), 1 if it closed on an error or the connection dropped.
 */
export function exitCodeAfterServerClose(code: number): number {
  return code === CloseCode.Normal || code === CloseCode.GoingAway || code === NO_STATUS ? 0 : 1;
}

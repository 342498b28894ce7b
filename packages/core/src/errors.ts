/** Base class of every error corows creates, so `err instanceof CorowsError` tells ours apart. */
export class CorowsError extends Error {
  /** A stable, machine-readable code such as `'ECONNREFUSED'` or `'ERR_CLOSED'`, where one is known. */
  readonly code: string | undefined;

  constructor(message: string, options?: { code?: string | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options?.code;
  }
}

/**
 * `connectToWebsocket` could not open the connection: refused, DNS, TLS, an HTTP status instead of
 * `101 Switching Protocols`, or a timeout. The message names the address and the cause.
 */
export class ConnectError extends CorowsError {
  /** The address that was dialled. */
  readonly address: string;
  /** The HTTP status the server answered instead of 101, when that was the cause. */
  readonly status: number | undefined;

  constructor(
    address: string,
    reason: string,
    options?: { code?: string | undefined; status?: number | undefined; cause?: unknown },
  ) {
    super(`could not connect to ${address}: ${reason}`, options);
    this.address = address;
    this.status = options?.status;
  }
}

/** A send on a connection that is not open. `closeCode` tells how it ended, when it has. */
export class ConnectionClosedError extends CorowsError {
  /** The close code, if the connection has closed. */
  readonly closeCode: number | undefined;

  constructor(action: string, state: string, closeCode?: number) {
    const how = closeCode === undefined ? '' : ` (close code ${closeCode})`;
    super(`cannot ${action}: the connection is ${state}${how}`, { code: 'ERR_CLOSED' });
    this.closeCode = closeCode;
  }
}

/** A wait that gave up after its `timeout` (milliseconds). */
export class TimeoutError extends CorowsError {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`, { code: 'ETIMEDOUT' });
  }
}

/** A wait cancelled by its `AbortSignal`; `cause` holds the signal's reason. */
export class AbortError extends CorowsError {
  constructor(what: string, reason?: unknown) {
    super(`${what} was aborted`, { code: 'ABORT_ERR', cause: reason });
  }
}

/**
 * A send made while a reconnecting connection is down, when its outbox already holds
 * `reconnect.maxOutbox` messages: this message was not kept and will not be sent.
 */
export class OutboxFullError extends CorowsError {
  constructor(action: string, limit: number) {
    super(
      `cannot ${action}: the connection is down and its outbox already holds ${limit} message${limit === 1 ? '' : 's'} (reconnect.maxOutbox); wait for the 'open' event or raise maxOutbox`,
      { code: 'ERR_OUTBOX_FULL' },
    );
  }
}

/**
 * The peer's request handler failed (see `WebSocketConn.request`): it threw or rejected (`message` is
 * its error's message, `code` its string `code` if it had one; never its stack), or the peer has no
 * handler (`code` `'ERR_NO_HANDLER'`).
 */
export class RemoteError extends CorowsError {
  constructor(message: string, code: string | undefined) {
    super(message, { code });
  }
}

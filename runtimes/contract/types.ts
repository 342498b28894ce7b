import type * as Corows from '@corows/core';

/**
 * The corows module as the subject's runtime loads it: `@corows/node-server` in Node, Bun and Deno,
 * the browser bundle in Chromium. Scenarios reach corows only through it, so the same code runs on
 * every runtime (and in a page, where nothing can be imported by name).
 */
export type CorowsApi = Pick<
  typeof Corows,
  'connectToWebsocket' | 'AbortError' | 'ConnectError' | 'ConnectionClosedError' | 'CorowsError' | 'TimeoutError'
>;

/** A connection, whichever end it is. */
export type Conn = Corows.WebSocketConn;

/** One message: a text frame as a string, a binary frame as bytes. */
export type Message = Corows.Message;

/** The client options a scenario may connect with. */
export type ConnectOptions = Corows.ConnectOptions;

/** Which end of the connection a scenario tests. */
export type Side = 'client' | 'server';

/** The runtimes a corows end runs on. */
export type Runtime = 'node' | 'bun' | 'deno' | 'chromium';

/**
 * What the subject's runtime can do. A scenario that needs what is missing asserts the documented
 * absence (a clear error, or the documented behaviour) instead of being skipped.
 */
export interface Capabilities {
  /** Handshake headers can be set (browsers cannot: a header table rejects with ERR_UNSUPPORTED). */
  headers: boolean;
  /** Reading can stop while the inbox is full (browsers cannot pause a WebSocket). */
  pause: boolean;
  /** Protocol pings can be sent (browsers cannot: `ping()` is `false` unless the corows heartbeat is agreed). */
  ping: boolean;
  /** `maxPayload` is enforced on receipt (browsers: the option does not apply). */
  maxPayload: boolean;
  /** A failed connect tells its cause: `code` (ECONNREFUSED) and the HTTP `status` (browsers reveal neither). */
  failureDetail: boolean;
}

/** What the peer of a scenario is: another corows end (any runtime) or Python's `websockets`. */
export type PeerKind = 'corows' | 'python';

/** Everything a scenario gets besides its connection. */
export interface ScenarioContext {
  api: CorowsApi;
  side: Side;
  runtime: Runtime;
  can: Capabilities;
  peer: PeerKind;
  /** The limits the subject's connection runs with. */
  limits: { maxQueue: number; maxPayload: number };
  /** Client side: addresses to dial. */
  addresses: {
    /** The puppet server: `${puppet}?scenario=<name>` for a fresh puppet. */
    puppet: string;
    /** An address where the puppet server refuses the upgrade with HTTP 403. */
    refusing: string;
    /** An address where nothing listens. */
    refused: string;
  };
}

/** One scenario of the contract: run by the subject, against a puppet peer (see puppet.ts). */
export interface Scenario {
  /** Short and unique: it names the scenario in addresses and reports. */
  id: string;
  /** A sentence: it names the test in every pairing. */
  name: string;
  /** Which ends can be the subject. @default both */
  sides?: readonly Side[];
  /** Client side: what the subject connects with (merged over the defaults of the runner). */
  connect?: ConnectOptions;
  /** Runs alongside the other scenarios instead of after them (it waits out a bounded window). */
  concurrent?: boolean;
  /** Runs on the contract server whose heartbeat is KEEP_ALIVE, not the default one (30 s). */
  heartbeat?: boolean;
  /** The test: throws (or rejects) on failure. The runner closes `conn` afterwards. */
  run(conn: Conn, ctx: ScenarioContext): Promise<void>;
}

/** One scenario's outcome, as a peer process reports it to the driver. */
export interface Outcome {
  scenario: string;
  /** `client`/`server`: the subject's result; `puppet`: a puppet that failed to obey. */
  role: Side | 'puppet';
  ok: boolean;
  error?: string;
  ms: number;
}

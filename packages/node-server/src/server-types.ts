import type { Exclusion } from './broadcast-target.js';
import type { ConnFilter } from './local-delivery.js';

/** The events of a {@link WebsocketServer}. */
export interface WebsocketServerEvents {
  /** A handler or hook threw or rejected, the adapter failed, or the HTTP server reported a problem. */
  error: [err: Error];
}

/** Options of {@link WebsocketServer.broadcast}. */
export interface BroadcastOptions<Data> {
  /** Connections (or ids) that do not get the message, such as its sender. */
  except?: Exclusion;
  /**
   * Only connections for which this returns `true`. A function cannot travel to other nodes, so a
   * broadcast with a filter reaches this node's connections only.
   */
  filter?: ConnFilter<Data>;
}

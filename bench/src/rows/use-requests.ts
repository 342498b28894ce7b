import type { Child } from '../children.js';

/** A request's or a plain round trip's deadline, in the bench's children. */
const TIMEOUT_MS = 60_000;

/**
 * Every connection of the crowd sends one plain message, and the call resolves once all `connections`
 * echoes have come back (the server is an echo server): afterwards each connection has written and
 * read, as any connection in use has. `received` is how many messages the crowd had counted before.
 */
export async function plainRoundTrip(crowd: Child, connections: number, received: number): Promise<void> {
  const echoed = crowd.call('expect', { total: received + connections, timeoutMs: TIMEOUT_MS }, TIMEOUT_MS + 5_000);
  await crowd.call('sendEach', { text: 'p' }, TIMEOUT_MS);
  await echoed;
}

/**
 * corows: every server connection starts serving requests and asks its client one, then every client
 * asks its server one; resolves once every reply has come. Afterwards each connection has what using
 * requests costs it: its control plane and its request table (and the handler the application gave).
 */
export async function requestEachWay(server: Child, crowd: Child): Promise<void> {
  await server.call('useRequests', { timeoutMs: TIMEOUT_MS }, TIMEOUT_MS + 5_000);
  await crowd.call('request', { timeoutMs: TIMEOUT_MS }, TIMEOUT_MS + 5_000);
}

// The limits both ends of every pairing run with, in one place: the server process passes them to
// createWebsocketServer, the client runner to connectToWebsocket, and the scenarios read them.

/** The inbox bound and largest message, on both ends. Small, so that the scenarios reach them quickly. */
export const LIMITS = { maxQueue: 8, maxPayload: 256 * 1024 } as const;

/**
 * The heartbeat of the scenarios that test it (`Scenario.heartbeat`): on the contract server's second
 * server, and on the client of such a scenario. Its timeout allows for a loaded machine.
 */
export const KEEP_ALIVE = { interval: 100, timeout: 2_000 } as const;

/** How long one scenario may take before the runner fails it and drops its connection. */
export const SCENARIO_DEADLINE = 20_000;

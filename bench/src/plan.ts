/** How big and how long each row runs. */
export interface Plan {
  name: 'full' | 'smoke';
  /** Uncounted rounds first, so every library's code is warm before it is measured. */
  warmupRounds: number;
  /** Counted rounds; each figure is the median over them. */
  rounds: number;
  echo: { conns: number; inFlight: number; sizes: number[]; warmMs: number; measureMs: number; drainMs: number };
  pingPong: { size: number; warmMs: number; measureMs: number; drainMs: number; maxSamples: number };
  crowd: { rounds: number; connections: number; concurrency: number; openTimeoutMs: number; warmupBroadcasts: number; broadcasts: number; size: number; burst: BurstPlan };
  slow: { rounds: number; size: number; maxMessages: number; durationMs: number; maxBufferedBytes: number; readTimeoutMs: number };
  /** The ceiling rows: uWS.js, raw ws, corows and Socket.IO echo servers under several load processes. */
  ceiling: { rounds: number; loaders: number; connsPerLoader: number; inFlight: number; size: number; warmMs: number; measureMs: number; drainMs: number };
  /** The cross-node broadcast on Redis (see packages/redis-adapter/bench/cross-node.ts). */
  crossNode: { messages: number; clientsPerNode: number; samples: number; timeLimit: number };
  /** The whole run is stopped (every child killed) after this long. */
  deadlineMs: number;
}

/** Bursts on the crowd: `messages` broadcasts (or rounds of sends) in one tick, `warmup` uncounted bursts then `counted` ones. */
export interface BurstPlan {
  messages: number;
  warmup: number;
  counted: number;
}

/** `pnpm bench`: a few minutes on a 2-core machine. */
export const FULL: Plan = {
  name: 'full',
  warmupRounds: 1,
  rounds: 21,
  echo: { conns: 10, inFlight: 20, sizes: [64, 16 * 1024], warmMs: 100, measureMs: 300, drainMs: 10_000 },
  pingPong: { size: 64, warmMs: 100, measureMs: 300, drainMs: 5_000, maxSamples: 200_000 },
  crowd: { rounds: 5, connections: 10_000, concurrency: 200, openTimeoutMs: 120_000, warmupBroadcasts: 3, broadcasts: 30, size: 64, burst: { messages: 5, warmup: 0, counted: 3 } },
  slow: { rounds: 3, size: 16 * 1024, maxMessages: 8_000, durationMs: 3_000, maxBufferedBytes: 1 << 20, readTimeoutMs: 60_000 },
  ceiling: { rounds: 11, loaders: 3, connsPerLoader: 4, inFlight: 100, size: 64, warmMs: 200, measureMs: 800, drainMs: 10_000 },
  crossNode: { messages: 2_000, clientsPerNode: 10, samples: 200, timeLimit: 60_000 },
  deadlineMs: 15 * 60_000,
};

/** `pnpm bench:smoke`: every row, tiny, in seconds; it checks that the bench works, not speed. */
export const SMOKE: Plan = {
  name: 'smoke',
  warmupRounds: 0,
  rounds: 1,
  echo: { conns: 2, inFlight: 2, sizes: [64, 16 * 1024], warmMs: 20, measureMs: 100, drainMs: 5_000 },
  pingPong: { size: 64, warmMs: 20, measureMs: 100, drainMs: 5_000, maxSamples: 10_000 },
  crowd: { rounds: 1, connections: 50, concurrency: 25, openTimeoutMs: 20_000, warmupBroadcasts: 1, broadcasts: 2, size: 64, burst: { messages: 5, warmup: 0, counted: 1 } },
  slow: { rounds: 1, size: 16 * 1024, maxMessages: 200, durationMs: 300, maxBufferedBytes: 1 << 20, readTimeoutMs: 10_000 },
  ceiling: { rounds: 1, loaders: 2, connsPerLoader: 2, inFlight: 2, size: 64, warmMs: 20, measureMs: 100, drainMs: 5_000 },
  crossNode: { messages: 50, clientsPerNode: 2, samples: 10, timeLimit: 30_000 },
  deadlineMs: 3 * 60_000,
};

/** How big `pnpm bench:scale` runs (bench/src/scale.ts). */
export interface ScalePlan {
  name: 'full' | 'smoke';
  /** Connections in all, spread evenly over the server processes. */
  connections: number;
  /** Server processes (each with the stack's Redis adapter on one redis-server). */
  servers: number;
  /** Load-generator processes holding the connections (each under the open-file limit). */
  crowds: number;
  /** Handshakes in flight per load-generator process while opening. */
  concurrency: number;
  openTimeoutMs: number;
  /** How long the idle CPU is measured at most: each stack's is one heartbeat interval of its own (30 s corows, 25 s Socket.IO), or this if shorter. */
  idleMs: number;
  /** Broadcasts to every connection: uncounted first, then counted. */
  warmupBroadcasts: number;
  broadcasts: number;
  /** Messages to the room that holds 1% of the connections: uncounted, then counted. */
  warmupRoomMessages: number;
  roomMessages: number;
  /** Bytes per broadcast and room message. */
  size: number;
  /** Each fan-out must reach every client within this long. */
  deliveryTimeoutMs: number;
  /** The active client's pause between a pong and its next ping. */
  pingEveryMs: number;
  /** The whole run is stopped (every child killed) after this long. */
  deadlineMs: number;
}

/**
 * `pnpm bench:scale`: 100,000 connections over 6 server processes (under 17,000 each, below the
 * 20,000 open files a process may hold here) and 6 load-generator processes, about 5 minutes in all
 * on a quiet 2-core machine (opening costs 0.9 ms of CPU per connection for corows, 1.4 ms for Socket.IO,
 * both sides together). Each idle window is one heartbeat interval of its stack (see HEARTBEAT_MS).
 */
export const FULL_SCALE: ScalePlan = {
  name: 'full',
  connections: 100_000,
  servers: 6,
  crowds: 6,
  concurrency: 50,
  openTimeoutMs: 300_000,
  idleMs: 30_000,
  warmupBroadcasts: 1,
  broadcasts: 10,
  warmupRoomMessages: 2,
  roomMessages: 30,
  size: 64,
  deliveryTimeoutMs: 60_000,
  pingEveryMs: 10,
  deadlineMs: 40 * 60_000,
};

/** `pnpm bench:scale --smoke`: the same run, tiny (2 servers × 100 connections), in seconds; CI runs it. */
export const SMOKE_SCALE: ScalePlan = {
  name: 'smoke',
  connections: 200,
  servers: 2,
  crowds: 2,
  concurrency: 20,
  openTimeoutMs: 20_000,
  idleMs: 1_000,
  warmupBroadcasts: 1,
  broadcasts: 3,
  warmupRoomMessages: 1,
  roomMessages: 3,
  size: 64,
  deliveryTimeoutMs: 10_000,
  pingEveryMs: 10,
  deadlineMs: 3 * 60_000,
};

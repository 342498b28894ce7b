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
  crowd: { rounds: 5, connections: 10_000, concurrency: 200, openTimeoutMs: 120_000, warmupBroadcasts: 3, broadcasts: 10, size: 64, burst: { messages: 5, warmup: 0, counted: 3 } },
  slow: { rounds: 3, size: 16 * 1024, maxMessages: 8_000, durationMs: 3_000, maxBufferedBytes: 1 << 20, readTimeoutMs: 60_000 },
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
  crossNode: { messages: 50, clientsPerNode: 2, samples: 10, timeLimit: 30_000 },
  deadlineMs: 3 * 60_000,
};

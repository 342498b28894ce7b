/** Memory of this process after full garbage collections (the child runs with `--expose-gc`). */
export interface MemorySnapshot {
  /** JavaScript heap in use plus memory held outside it by Buffers and ArrayBuffers, in bytes. */
  heap: number;
  /** Resident set size, in bytes. */
  rss: number;
}

/** Collects garbage (twice, so weakly held and finalized objects go too) and measures. */
export function measureMemory(): MemorySnapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('memory figures need --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed + usage.external, rss: usage.rss };
}

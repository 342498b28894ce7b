import type { Socket } from 'node:net';

/** Counts the writes each server-side TCP socket hands to the kernel (its stream's `_write`/`_writev` calls). */
export class WriteCounter {
  /** Per socket, in the order the sockets connected. */
  private readonly counts: number[] = [];

  watch(socket: Socket): void {
    const index = this.counts.push(0) - 1;
    const counted = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    for (const method of ['_write', '_writev'] as const) {
      const original = counted[method];
      counted[method] = (...args: unknown[]) => {
        this.counts[index] = (this.counts[index] ?? 0) + 1;
        return original.apply(socket, args);
      };
    }
  }

  /** Writes so far on each socket, in the order the sockets connected. */
  snapshot(): number[] {
    return [...this.counts];
  }
}

import { performance } from 'node:perf_hooks';

/** Wall time per phase of a run, in the order the phases ran: where the minutes go. */
export class Phases {
  private readonly done: Array<{ name: string; ms: number }> = [];
  private at = performance.now();

  /** Ends the phase running since the last mark (or since this object was made), naming it `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.done.push({ name, ms: now - this.at });
    this.at = now;
  }

  /** The phases so far, e.g. `open 41.2 s, idle 30.0 s`. */
  toString(): string {
    return this.done.map(({ name, ms }) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
  }

  /** The phases so far, name → seconds. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.done.map(({ name, ms }) => [name, Math.round(ms / 100) / 10]));
  }
}

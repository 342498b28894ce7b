import type { ChaosLink, CutMode } from './chaos-link.js';
import { SeededRandom } from './seeded-random.js';

/**
 * Options of `ChaosProxy.cutRandomly`. Every choice (which mode, which link, how many bytes) comes from
 * a PRNG seeded with `seed`: with the same traffic, `afterBytes` and `handshakeFaults` cut at the same
 * places on every run; `everyMs` depends on timing as well, only its sequence of modes is fixed.
 */
export interface ChaosRunOptions {
  seed: number;
  /** The modes to choose from. @default ['fin', 'rst', 'blackhole'] */
  modes?: readonly CutMode[];
  /** Cut one live link, chosen at random, every this many milliseconds. */
  everyMs?: number;
  /** Give each link (live ones and new ones) a random budget of 1…afterBytes bytes in a random direction, and cut it when spent. */
  afterBytes?: number;
  /** The probability (0…1) that a new link is cut in its handshake instead (in the request, or right after the 101). @default 0 */
  handshakeFaults?: number;
}

/** What a run needs from its proxy. */
export interface ChaosRunHost {
  links(): ChaosLink[];
  onLink(listener: (link: ChaosLink) => void): () => void;
}

/** A random chaos run on a proxy: started by `ChaosProxy.cutRandomly`, ended by {@link stop} (or the proxy's close). */
export class ChaosRun {
  /** Each decision, in order (`link 3: rst after 57 bytes down`): print it with the seed when a test fails. */
  readonly log: string[] = [];
  readonly random: SeededRandom;
  private readonly modes: readonly CutMode[];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private armed: ChaosLink[] = [];
  running = true;

  constructor(
    private readonly options: ChaosRunOptions,
    host: ChaosRunHost,
  ) {
    this.random = new SeededRandom(options.seed);
    this.modes = options.modes ?? ['fin', 'rst', 'blackhole'];
    if (this.modes.length === 0) throw new RangeError('cutRandomly: modes must name at least one mode');
    for (const [name, value] of Object.entries({ everyMs: options.everyMs, afterBytes: options.afterBytes })) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RangeError(`cutRandomly: ${name} must be an integer ≥ 1, got ${value}`);
    }
    const p = options.handshakeFaults ?? 0;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`cutRandomly: handshakeFaults is a probability in [0, 1], got ${p}`);
    if (options.afterBytes !== undefined) for (const link of host.links()) this.armBytes(link);
    this.unsubscribe = host.onLink((link) => this.onNewLink(link));
    this.timer =
      options.everyMs === undefined
        ? undefined
        : setInterval(() => {
            const links = host.links();
            if (links.length === 0) return;
            const link = this.random.pick(links);
            const mode = this.random.pick(this.modes);
            this.log.push(`link ${link.id}: ${mode} at once`);
            link.cut(mode);
          }, options.everyMs);
  }

  /** Stops choosing and disarms the byte budgets not yet spent. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.unsubscribe();
    for (const link of this.armed.splice(0)) link.disarm();
  }

  private onNewLink(link: ChaosLink): void {
    const p = this.options.handshakeFaults ?? 0;
    if (p > 0 && this.random.next() < p) {
      const how = this.random.pick(['fin', 'rst'] as const);
      this.armed.push(link);
      if (this.random.next() < 0.5) {
        const bytes = this.random.int(0, 120);
        this.log.push(`link ${link.id}: ${how} after ${bytes} bytes of the request`);
        link.cutAfter('up', bytes, how, 'mid-request');
      } else {
        this.log.push(`link ${link.id}: ${how} after the 101`);
        link.cutAfterResponseHead(how);
      }
      return;
    }
    if (this.options.afterBytes !== undefined) this.armBytes(link);
  }

  private armBytes(link: ChaosLink): void {
    const bytes = this.random.int(1, this.options.afterBytes as number);
    const direction = this.random.pick(['up', 'down'] as const);
    const mode = this.random.pick(this.modes);
    this.log.push(`link ${link.id}: ${mode} after ${bytes} bytes ${direction}`);
    this.armed.push(link);
    link.cutAfter(direction, bytes, mode);
  }
}

import type { Outcome } from '../contract/types.ts';

/** The outcomes of one pairing as they arrive, awaited one by one by its tests. */
export class Outcomes {
  private readonly waiting = new Map<string, { promise: Promise<Outcome>; resolve: (o: Outcome) => void; reject: (e: Error) => void }>();
  /** Failures of puppets, which the pairing's last test lists. */
  readonly puppetFailures: Outcome[] = [];
  /** What a server reported through its `error` event: nothing in any scenario should. */
  readonly serverErrors: string[] = [];
  private failure: Error | undefined;

  /** Takes a message from a peer; anything not an outcome is ignored. */
  accept(message: unknown): void {
    const { serverError } = message as { serverError?: unknown };
    if (typeof serverError === 'string') this.serverErrors.push(serverError);
    const outcome = message as Partial<Outcome>;
    if (typeof outcome.scenario !== 'string' || typeof outcome.role !== 'string') return;
    if (outcome.role === 'puppet') this.puppetFailures.push(outcome as Outcome);
    else this.slot(outcome.role, outcome.scenario).resolve(outcome as Outcome);
  }

  /** The outcome of `scenario` with `role` as its subject, once reported (or why it never will be). */
  of(role: string, scenario: string): Promise<Outcome> {
    return this.slot(role, scenario).promise;
  }

  /** Everything not reported yet fails with `err` (a peer died, the pairing could not start). */
  abandon(err: Error): void {
    this.failure ??= err;
    for (const slot of this.waiting.values()) slot.reject(this.failure);
  }

  private slot(role: string, scenario: string) {
    const key = `${role}:${scenario}`;
    let slot = this.waiting.get(key);
    if (slot === undefined) {
      let resolve!: (o: Outcome) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<Outcome>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // awaited by a test, or never (a scenario filtered out)
      slot = { promise, resolve, reject };
      this.waiting.set(key, slot);
      if (this.failure !== undefined) reject(this.failure);
    }
    return slot;
  }
}

import { armCancel } from './cancel.js';
import { Fifo } from './fifo.js';
import { afterCurrentTask } from './schedule.js';
import type { Message, MessageHandler, ReceiveOptions } from './types.js';

interface Waiter {
  settle(msg: Message | null): void;
  /** It gave up (timeout, abort): skipped when its turn comes, removed in bulk before then. */
  cancelled?: boolean;
}

/** Cancelled waiters tolerated in the queue before it is swept (and only while they are at least half). */
const SWEEP_AFTER = 64;

// The inbox's yes/no state, as bits of one number: a server holds 10,000s of inboxes (docs/benchmarks.md).
/** No more messages will arrive. */
const ENDED = 1;
/** The handler was given its closing `null`. */
const END_DELIVERED = 2;
const DRAIN_SCHEDULED = 4;
/** The buffer reached `maxQueue`: the connection was told to stop reading. */
const PAUSED = 8;
/** `receive()` was called once: from then on code may be woken to claim the next message. */
const RECEIVED_BEFORE = 16;

/**
 * The promise the last send returned (see {@link sendResult}). Sends never reject, so a handler that
 * returns one, as `conn.whenNewMsg((msg) => conn.sendMessage(msg))` does, needs no rejection handler:
 * one comparison instead of a `then()` (a promise and a closure) per message.
 */
let lastSendResult: unknown;

/** Marks `promise` as a send's result, which never rejects; returns it. */
export function sendResult<T>(promise: Promise<T>): Promise<T> {
  lastSendResult = promise;
  return promise;
}

/** What an {@link Inbox} tells the code that feeds it. */
export interface InboxFlow {
  /** The buffer reached `maxQueue`: stop reading from the socket. */
  pause(): void;
  /** The buffer fell to half of `maxQueue`: read again. */
  resume(): void;
  /** The message handler threw or rejected. */
  handlerFailed(err: unknown): void;
}

/**
 * Delivers each arriving message exactly once, in order, by this priority: (1) the oldest pending
 * `receive()`; (2) else the handler; (3) else the buffer, until one of them comes. After `end()`,
 * buffered messages are still delivered, then `null`: to every receive, and to the handler once.
 *
 * Once `receive()` has been used, the handler is given messages once the current event-loop task has
 * run (see `afterCurrentTask`), never from inside `deliver()`: code woken by one message that calls
 * `receive()` again, however many `await`s deep, still takes the next message before the handler
 * does, even when frames arrive back to back in one network read (`for await (const msg of conn)`
 * beside a handler misses nothing). Until then no code can have been woken by a message, so an empty
 * inbox hands each message to the handler at once, as `ws` does to its listeners, saving a turn of
 * the event loop per message.
 *
 * It knows nothing of sockets: when its buffer is full it asks its {@link InboxFlow} to stop reading,
 * and to read again once it has drained to half.
 */
export class Inbox {
  // Both queues are made on first use: most connections never buffer a message, and many never wait
  // in a receive, which counts on a server holding 10,000s of connections.
  /** Messages waiting for a receive or the handler. */
  private buffered: Fifo<Message> | undefined;
  /** Pending receives, oldest first. */
  private waiting: Fifo<Waiter> | undefined;
  private handler: MessageHandler | undefined;
  /** Waiters in {@link Inbox.waiting} that gave up. */
  private cancelledWaiters = 0;
  /** The bits above ({@link ENDED}, …). */
  private flags = 0;

  constructor(
    private readonly maxQueue: number,
    private readonly flow: InboxFlow,
  ) {}

  /** How many messages wait in the buffer for a receive or a handler. */
  get size(): number {
    return this.buffered?.length ?? 0;
  }

  /** Takes one message from the socket. */
  deliver(msg: Message): void {
    const waiter = this.nextWaiter();
    if (waiter !== undefined) {
      waiter.settle(msg);
      return;
    }
    if (this.handler !== undefined && !this.has(RECEIVED_BEFORE) && this.size === 0) {
      // Nothing was ever woken by a message here: deferring would only add latency (see the class comment).
      this.invoke(this.handler, msg);
      return;
    }
    (this.buffered ??= new Fifo()).push(msg);
    if (this.handler !== undefined) this.scheduleDrain();
    if (!this.has(PAUSED) && this.buffered.length >= this.maxQueue) {
      this.flags |= PAUSED;
      this.flow.pause();
    }
  }

  /** The next undelivered message; `null` once ended and empty. Cancel-safe. */
  receive(options?: ReceiveOptions): Promise<Message | null> {
    this.flags |= RECEIVED_BEFORE;
    if (options?.signal?.aborted !== true && this.size > 0) {
      return Promise.resolve(this.take());
    }
    if (this.has(ENDED) && options?.signal?.aborted !== true) return Promise.resolve(null);
    const waiting = (this.waiting ??= new Fifo());
    if (options?.timeout === undefined && options?.signal === undefined) {
      // Nothing can cancel this wait: no timer to arm, no closures to make (the common loop's path).
      return new Promise((resolve) => waiting.push({ settle: resolve }));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        settle: (msg) => {
          disarm();
          resolve(msg);
        },
      };
      const disarm = armCancel('receiveMessage()', options, (err) => {
        this.cancel(waiter);
        reject(err);
      });
      waiting.push(waiter);
    });
  }

  /** Sets (or replaces) the handler; buffered messages go to it after the current synchronous code. */
  setHandler(handler: MessageHandler): void {
    this.handler = handler;
    if (this.size > 0 || this.has(ENDED)) this.scheduleDrain();
  }

  /** No more messages will arrive: pending receives get `null`, the handler gets it once the buffer is empty. */
  end(): void {
    if (this.has(ENDED)) return;
    this.flags |= ENDED;
    for (const waiter of this.waiting?.drain() ?? []) if (waiter.cancelled !== true) waiter.settle(null);
    this.cancelledWaiters = 0;
    if (this.size === 0) this.scheduleDrain();
  }

  /** The oldest pending receive that has not given up, taken out of the queue. */
  private nextWaiter(): Waiter | undefined {
    for (let waiter = this.waiting?.shift(); waiter !== undefined; waiter = this.waiting?.shift()) {
      if (waiter.cancelled !== true) return waiter;
      this.cancelledWaiters -= 1;
    }
    return undefined;
  }

  /**
   * Marks a receive that gave up; it is skipped when its turn comes. Removing it from the middle of
   * the queue at once would cost n per cancel (n² for n receives given up together, as on a shared
   * signal or timeout); sweeping once they are half the queue costs O(1) per cancel, amortized.
   */
  private cancel(waiter: Waiter): void {
    waiter.cancelled = true;
    this.cancelledWaiters += 1;
    const waiting = this.waiting;
    if (waiting !== undefined && this.cancelledWaiters >= SWEEP_AFTER && this.cancelledWaiters * 2 >= waiting.length) {
      waiting.retain((pending) => pending.cancelled !== true);
      this.cancelledWaiters = 0;
    }
  }

  /** The oldest buffered message; only called when {@link Inbox.size} > 0. */
  private take(): Message {
    const msg = this.buffered?.shift() as Message;
    if (this.has(PAUSED) && this.size <= this.maxQueue >>> 1) {
      this.flags &= ~PAUSED;
      this.flow.resume();
    }
    if (this.has(ENDED) && this.size === 0) this.scheduleDrain();
    return msg;
  }

  // Deferred so that a receive made by code that runs first (see the class comment) comes first.
  private scheduleDrain(): void {
    if (this.has(DRAIN_SCHEDULED)) return;
    this.flags |= DRAIN_SCHEDULED;
    afterCurrentTask(() => {
      this.flags &= ~DRAIN_SCHEDULED;
      this.drain();
    });
  }

  private drain(): void {
    while (this.handler !== undefined && this.size > 0) {
      this.invoke(this.handler, this.take());
    }
    if (this.has(ENDED) && this.size === 0 && this.handler !== undefined && !this.has(END_DELIVERED)) {
      this.flags |= END_DELIVERED;
      this.invoke(this.handler, null);
    }
  }

  private invoke(handler: MessageHandler, msg: Message | null): void {
    try {
      const result = handler(msg);
      if (result !== undefined && result !== lastSendResult && typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, (err: unknown) => this.flow.handlerFailed(err));
      }
    } catch (err) {
      this.flow.handlerFailed(err);
    }
  }

  private has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }
}

import { EventEmitter } from 'eventemitter3';
import { describeError } from './describe.js';
import { CorowsError } from './errors.js';

/** A listener as eventemitter3 keeps it. */
interface Registered {
  fn: (...args: unknown[]) => unknown;
  context: unknown;
  once: boolean;
}

type Registry = Record<string, Registered | Registered[] | undefined>;

/**
 * An eventemitter3 emitter whose listeners cannot hurt the code that emits: each listener runs in its
 * own `try`, so one that throws neither stops the others nor unwinds the socket, timer or close that
 * emitted the event. A failure is reported as an `error` event (a `CorowsError` with code
 * `'ERR_LISTENER'`), or written to `console.error` when nobody listens for `error` or when an `error`
 * listener itself throws: eventemitter3, unlike Node's emitter, never throws for an unheard `error`.
 */
export class GuardedEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  override emit<T extends EventEmitter.EventNames<Events>>(event: T, ...args: EventEmitter.EventArgs<Events, T>): boolean {
    const registry = (this as unknown as { _events?: Registry })._events;
    // eventemitter3 keeps one listener as an object and several as an array (index.js, `_events`).
    if (registry === undefined || typeof event !== 'string') return this.emitCaught(event, args);
    const registered = registry[EventEmitter.prefixed === false ? event : `${EventEmitter.prefixed}${event}`];
    if (registered === undefined) return false;
    if (!Array.isArray(registered)) {
      this.call(event, registered, args);
      return true;
    }
    for (const listener of registered) this.call(event, listener, args); // a removal replaces the array
    return true;
  }

  override on<T extends EventEmitter.EventNames<Events>>(event: T, fn: EventEmitter.EventListener<Events, T>, context?: unknown): this {
    this.listenerAdded(event);
    return super.on(event, fn, context);
  }

  override once<T extends EventEmitter.EventNames<Events>>(event: T, fn: EventEmitter.EventListener<Events, T>, context?: unknown): this {
    this.listenerAdded(event);
    return super.once(event, fn, context);
  }

  /** Someone started listening for `event` (for a subclass that starts work only when it is heard). */
  protected listenerAdded(_event: EventEmitter.EventNames<Events>): void {}

  /**
   * Reports a failure nobody asked for: the `error` event, or `console.error` when nobody listens
   * (so that it is never lost silently).
   */
  protected reportUnexpected(err: Error): void {
    if (this.listenerCount('error' as EventEmitter.EventNames<Events>) > 0) this.emit('error' as EventEmitter.EventNames<Events>, ...([err] as EventEmitter.EventArgs<Events, EventEmitter.EventNames<Events>>));
    else console.error('corows:', err);
  }

  private call(event: string, listener: Registered, args: unknown[]): void {
    if (typeof listener.fn !== 'function') return;
    if (listener.once) this.removeListener(event as EventEmitter.EventNames<Events>, listener.fn as EventEmitter.EventListener<Events, EventEmitter.EventNames<Events>>, undefined, true);
    try {
      listener.fn.apply(listener.context, args);
    } catch (err) {
      this.listenerFailed(event, err);
    }
  }

  /** Where eventemitter3's layout is not the one known: every listener in one `try`. */
  private emitCaught(event: EventEmitter.EventNames<Events>, args: unknown[]): boolean {
    try {
      return super.emit(event, ...(args as EventEmitter.EventArgs<Events, typeof event>));
    } catch (err) {
      this.listenerFailed(String(event), err);
      return true;
    }
  }

  private listenerFailed(event: string, err: unknown): void {
    if (event === 'error') {
      console.error('corows: an error listener threw:', err);
      return;
    }
    this.reportUnexpected(new CorowsError(`a '${event}' listener threw: ${describeError(err)}`, { code: 'ERR_LISTENER', cause: err }));
  }
}

// eventemitter3's `addListener` is its `on`: make it this class's `on` too.
GuardedEmitter.prototype.addListener = GuardedEmitter.prototype.on;

/** Anything with a graceful `close(reason)`, such as a `WebsocketServer`. */
export interface Closable {
  close(reason?: string): Promise<void>;
}

/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions {
  /**
   * The signals that start the shutdown.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[];
  /**
   * The reason given to `close()`, sent to clients with 1001.
   * @default 'server shutting down'
   */
  reason?: string;
  /**
   * Exit the process (code 0) once every server has closed. Listening to a signal replaces Node's
   * default of exiting on it, so leave this on unless you stop the rest of your app yourself.
   * @default true
   */
  exit?: boolean;
}

/**
 * Graceful shutdown on SIGTERM (what Docker, Kubernetes and systemd send) and SIGINT (Ctrl-C): the
 * first signal closes every server given (no new connections, 1001 with the reason to each client,
 * the drain timeout, then `whenDead`), then exits; a second signal during the drain stops at once,
 * as Node would have. Returns a function that removes the signal listeners.
 *
 * @example
 * ```ts
 * const server = createWebsocketServer('0.0.0.0', 8080, { closeTimeout: 10_000 });
 * closeOnSignals(server, { reason: 'deploying, reconnect in a moment' });
 * ```
 */
export function closeOnSignals(servers: Closable | Iterable<Closable>, options: CloseOnSignalsOptions = {}): () => void {
  const list = isClosable(servers) ? [servers] : [...servers];
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const reason = options.reason ?? 'server shutting down';
  let shuttingDown = false;

  const remove = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (shuttingDown) {
      remove();
      process.kill(process.pid, signal);
      return;
    }
    shuttingDown = true;
    void Promise.allSettled(list.map((server) => server.close(reason))).then(() => {
      if (options.exit ?? true) process.exit(0);
    });
  }
  for (const signal of signals) process.on(signal, onSignal);
  return remove;
}

function isClosable(value: Closable | Iterable<Closable>): value is Closable {
  return typeof (value as Closable).close === 'function';
}

import type * as KeepAliveModule from './keep-alive.js';

let loaded: typeof KeepAliveModule | undefined;
let loading: Promise<typeof KeepAliveModule> | undefined;

/**
 * Loads corows' keep-alive (the heartbeat groups and each connection's member) ahead of use. It is a
 * module of its own, loaded on first use: a page whose connections have no `keepAlive` never loads it.
 * `connectToWebsocket` and the server load it before they need it, so that a connection starts its
 * heartbeat with its first link; a connection made before it is loaded starts it once loaded.
 */
export function loadKeepAlive(): Promise<void> {
  loading ??= import('./keep-alive.js').then((module) => (loaded = module));
  return loading.then(() => undefined);
}

/** The keep-alive module if already loaded, else `undefined` (see {@link loadKeepAlive}). */
export function loadedKeepAlive(): typeof KeepAliveModule | undefined {
  return loaded;
}

import type * as ControlPlaneModule from './control-plane.js';

/** Default `timeout` of `conn.request()`, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

let loaded: typeof ControlPlaneModule | undefined;
let loading: Promise<typeof ControlPlaneModule> | undefined;

/**
 * Loads the control plane of the corows protocol (control messages: request and reply). It is a
 * module of its own, loaded on first use: a page that never makes, serves or receives a request never
 * loads it.
 */
export function loadControlPlane(): Promise<typeof ControlPlaneModule> {
  return (loading ??= import('./control-plane.js').then((module) => (loaded = module)));
}

/** The control plane's module if already loaded, else `undefined` (see {@link loadControlPlane}). */
export function loadedControlPlane(): typeof ControlPlaneModule | undefined {
  return loaded;
}

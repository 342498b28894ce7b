import type { Capabilities, Runtime } from './types.ts';

/**
 * What each runtime offers, as SPEC.md and the README document it. The scenarios hold every runtime
 * to its row: a runtime said to have a capability must show it, one said to lack it must show the
 * documented absence.
 */
export const CAPABILITIES: Record<Runtime, Capabilities> = {
  node: { headers: true, pause: true, ping: true, maxPayload: true, failureDetail: true },
  bun: { headers: true, pause: true, ping: true, maxPayload: true, failureDetail: true },
  deno: { headers: true, pause: true, ping: true, maxPayload: true, failureDetail: true },
  chromium: { headers: false, pause: false, ping: false, maxPayload: false, failureDetail: false },
};

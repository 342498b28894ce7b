// The page's side of a Chromium pairing, bundled by esbuild (driver/chromium.ts): the harness page of
// the e2e suite has put the built browser bundle in `window.corows`, the driver `tellDriver`.
import { runClientSide, type ClientPlan } from '../contract/runner.ts';
import type { CorowsApi, PeerKind } from '../contract/types.ts';

declare const window: { corows: CorowsApi; tellDriver: (message: unknown) => Promise<void> };

/** Runs `plan` in this page against a `peer` server. */
export function runInPage(plan: ClientPlan, peer: PeerKind): Promise<void> {
  return runClientSide({ api: window.corows, runtime: 'chromium', peer, report: (outcome) => void window.tellDriver(outcome) }, plan);
}

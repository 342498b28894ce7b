import type { Scenario } from '../types.ts';
import { closeScenarios, errorScenarios } from './close.ts';
import { handshakeScenarios } from './handshake.ts';
import { inboxScenarios } from './inbox.ts';
import { limitScenarios } from './limits.ts';
import { livenessScenarios } from './liveness.ts';
import { messageScenarios } from './messages.ts';
import { requestScenarios } from './requests.ts';

/** The contract suite: every scenario, in the order they run. */
export const scenarios: readonly Scenario[] = [
  ...messageScenarios,
  ...inboxScenarios,
  ...closeScenarios,
  ...errorScenarios,
  ...handshakeScenarios,
  ...limitScenarios,
  ...livenessScenarios,
  ...requestScenarios,
];

/** The scenarios `side` can be the subject of. */
export function scenariosFor(side: 'client' | 'server'): Scenario[] {
  return scenarios.filter((scenario) => (scenario.sides ?? ['client', 'server']).includes(side));
}

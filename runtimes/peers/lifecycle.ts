import { lifecycleScenarios, type ServerApi } from '../contract/lifecycle.ts';
import { describe, withDeadline } from '../contract/runner.ts';
import { SCENARIO_DEADLINE } from '../contract/settings.ts';
import type { Outcome } from '../contract/types.ts';

/** Runs every lifecycle scenario in turn and reports each. */
export async function runLifecycle(api: ServerApi, report: (outcome: Outcome) => void): Promise<void> {
  for (const scenario of lifecycleScenarios) {
    const started = Date.now();
    const outcome: Outcome = { scenario: scenario.id, role: 'server', ok: true, ms: 0 };
    try {
      await withDeadline(scenario.run(api), `did not finish within ${SCENARIO_DEADLINE} ms`);
    } catch (err) {
      outcome.ok = false;
      outcome.error = describe(err);
    }
    outcome.ms = Date.now() - started;
    report(outcome);
  }
}

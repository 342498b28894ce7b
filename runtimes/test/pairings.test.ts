// The contract suite over every pairing of runtimes (driver/pairings.ts), on the built packages: run
// `pnpm build` first. Each scenario of contract/scenarios is one test per end it can be the subject of.
//   COROWS_PAIRINGS=bun/deno pnpm test:runtimes      one pairing (server/client; `*` for any runtime)
//   COROWS_SCENARIOS=inbox pnpm test:runtimes        the scenarios whose id or name matches
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lifecycleScenarios } from '../contract/lifecycle.ts';
import type { Outcome } from '../contract/types.ts';
import { ChromiumClient } from '../driver/chromium.ts';
import { Outcomes } from '../driver/outcomes.ts';
import { PairingRun } from '../driver/pairing-run.ts';
import { pairingId, selectPairings } from '../driver/pairings.ts';
import { PeerProcess } from '../driver/peer-process.ts';
import { assertBuilt, PROCESS_RUNTIMES, packageDir, peerCommand } from '../driver/runtimes.ts';

assertBuilt();
const pairings = selectPairings();
const TEST_TIMEOUT = 60_000;
/** Pairings that run at once: each is mostly waiting (process start-up, the heartbeat's idle window). */
const CONCURRENCY = 2;

let chromium: Promise<ChromiumClient> | undefined;
const sharedChromium = (): Promise<ChromiumClient> => (chromium ??= ChromiumClient.start());
after(async () => {
  await (await chromium?.catch(() => undefined))?.stop();
});

/** Fails with the scenario's own error, as its end reported it. */
function verdict(outcome: Outcome): void {
  if (!outcome.ok) assert.fail(`${outcome.error ?? 'failed'} (after ${outcome.ms} ms)`);
}

for (const runtime of PROCESS_RUNTIMES.filter((candidate) => pairings.some((pairing) => pairing.server === candidate))) {
  describe(`${runtime} server lifecycle`, () => {
    const outcomes = new Outcomes();
    let peer: PeerProcess | undefined;
    before(() => {
      peer = new PeerProcess(`${runtime} server`, ...peerCommand(runtime, 'peers/server.ts', [runtime, 'lifecycle']), packageDir, (m) => outcomes.accept(m));
      void peer.exited.then((reason) => outcomes.abandon(new Error(reason)));
    });
    after(() => peer?.stop());
    for (const scenario of lifecycleScenarios) {
      test(scenario.name, { timeout: TEST_TIMEOUT }, async () => verdict(await outcomes.of('server', scenario.id)));
    }
  });
}

describe(`every pairing, ${CONCURRENCY} at a time`, { concurrency: CONCURRENCY }, () => {
  for (const pairing of pairings) {
    describe(`${pairing.server} server ↔ ${pairing.client} client (${pairingId(pairing)})`, () => {
      const run = new PairingRun(pairing, sharedChromium);
      before(() => run.start(), { timeout: TEST_TIMEOUT });
      after(() => run.stop());
      for (const scenario of run.clientScenarios) {
        test(`client: ${scenario.name}`, { timeout: TEST_TIMEOUT }, async () => verdict(await run.outcomes.of('client', scenario.id)));
      }
      for (const scenario of run.serverScenarios) {
        test(`server: ${scenario.name}`, { timeout: TEST_TIMEOUT }, async () => verdict(await run.outcomes.of('server', scenario.id)));
      }
      test('every puppet obeyed its commands; the server reported no error; the page (Chromium) threw nothing', { timeout: TEST_TIMEOUT }, async () => {
        await run.clientFinished();
        assert.deepEqual(run.outcomes.puppetFailures.map((failure) => `${failure.scenario}: ${failure.error}`), []);
        assert.deepEqual(run.outcomes.serverErrors, []);
        assert.deepEqual(run.pageErrors, []);
      });
    });
  }
});

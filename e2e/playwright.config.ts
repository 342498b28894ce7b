import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './support/chromium.js';
import type { HarnessOptions } from './tests/fixtures.js';

/**
 * The e2e suite: Debian's Chromium against a real @corows/node-server started by the global setup on
 * free ports. The harness scenarios run once per bundle (`corows.js`, `corows.min.js`);
 * the seed and demo pages load `/corows.js` themselves.
 * Run it with `pnpm test:e2e` after `pnpm build`.
 */
export default defineConfig<HarnessOptions>({
  testDir: './tests',
  globalSetup: './support/global-setup.ts',
  timeout: 15_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'corows.js', use: { bundle: 'corows.js' } },
    { name: 'corows.min.js', use: { bundle: 'corows.min.js' }, testIgnore: /(seed|demo)\.spec\.ts/ },
  ],
});

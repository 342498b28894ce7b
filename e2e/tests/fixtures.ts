import { randomUUID } from 'node:crypto';
import { test as base, expect, type Page } from '@playwright/test';
import type { ConnRecord } from '../support/routes.js';
import type { Site } from '../support/global-setup.js';

declare global {
  interface Window {
    /** The bundle, as the harness page imported it. */
    corows: typeof import('@corows/core');
  }
}

/** Which harness page (and so which bundle) a project runs the scenarios on. */
export interface HarnessOptions {
  harnessPage: 'harness.html' | 'harness-min.html';
}

interface Fixtures {
  /** The servers' addresses (support/global-setup.ts). */
  site: Site;
  /** A page that has loaded the bundle as `window.corows`. */
  harness: Page;
  /** A fresh id: `?id=<it>` on a WebSocket URL makes the server record that connection. */
  connId: string;
  /** What the server recorded of the connection `id` (`undefined` until it connected). */
  serverRecord: (id: string) => Promise<ConnRecord | undefined>;
}

export const test = base.extend<HarnessOptions & Fixtures>({
  harnessPage: ['harness.html', { option: true }],

  site: async ({}, use) => {
    const raw = process.env.COROWS_E2E;
    if (raw === undefined) throw new Error('COROWS_E2E is not set: run the suite with `pnpm test:e2e` (its global setup starts the servers)');
    await use(JSON.parse(raw) as Site);
  },

  // Any uncaught error or unhandled rejection in a page fails the test that caused it.
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },

  harness: async ({ page, site, harnessPage }, use) => {
    await page.goto(`${site.http}/${harnessPage}`);
    await page.waitForFunction(() => window.corows !== undefined);
    await use(page);
  },

  connId: async ({}, use) => use(randomUUID()),

  serverRecord: async ({ request, site }, use) =>
    use(async (id) => {
      const res = await request.get(`${site.http}/api/conn/${id}`);
      return res.ok() ? ((await res.json()) as ConnRecord) : undefined;
    }),
});

export { expect };

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

/** Which bundle a project runs the harness scenarios on. */
export interface HarnessOptions {
  bundle: 'corows.js' | 'corows.min.js';
}

interface Fixtures {
  /** The servers' addresses (support/global-setup.ts). */
  site: Site;
  /** The harness page's address, for the project's bundle. */
  harnessUrl: string;
  /** A page that has loaded the bundle as `window.corows`. */
  harness: Page;
  /** A fresh id: `?id=<it>` on a WebSocket URL makes the server record that connection. */
  connId: string;
  /** What the server recorded of the connection `id` (`undefined` until it connected). */
  serverRecord: (id: string) => Promise<ConnRecord | undefined>;
}

export const test = base.extend<HarnessOptions & Fixtures>({
  bundle: ['corows.js', { option: true }],

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

  harnessUrl: async ({ site, bundle }, use) => use(`${site.http}/harness.html?bundle=${bundle}`),

  harness: async ({ page, harnessUrl, bundle }, use) => {
    await page.goto(harnessUrl);
    await expect(page.locator('body')).toHaveAttribute('data-ready', bundle);
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

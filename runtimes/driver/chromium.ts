// Chromium as a client of the suite: the e2e suite's page server and harness page (the built browser
// bundle as `window.corows`), with the contract runner bundled for the page by esbuild.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { chromiumArgs, chromiumPath } from '../../e2e/support/chromium.ts';
import { createSite } from '../../e2e/support/site.ts';
import type { ClientPlan } from '../contract/runner.ts';
import type { PeerKind } from '../contract/types.ts';
import type { runInPage } from '../peers/page.ts';

/** What the page gets from the driver: the bundled peers/page.ts. */
declare const window: { corowsContract: { runInPage: typeof runInPage } };

/** The bundle the pages load: the minified one, the file we ship. */
const BUNDLE = 'corows.min.js';

/** A Chromium and the site its pages come from, shared by every Chromium pairing. */
export class ChromiumClient {
  private constructor(
    private readonly browser: Browser,
    private readonly site: Server,
    private readonly origin: string,
    private readonly contract: string,
  ) {}

  static async start(): Promise<ChromiumClient> {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: run scripts/ensure-tools.sh (it installs Debian's chromium) or set CHROMIUM_PATH`);
    }
    const entry = fileURLToPath(new URL('../peers/page.ts', import.meta.url));
    const bundled = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'corowsContract', platform: 'browser', target: 'es2022', write: false });
    const site = createSite(new Map());
    const port = await new Promise<number>((resolve, reject) => {
      site.once('error', reject);
      site.listen(0, '127.0.0.1', () => resolve((site.address() as { port: number }).port));
    });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    return new ChromiumClient(browser, site, `http://127.0.0.1:${port}`, bundled.outputFiles[0]!.text);
  }

  /**
   * Runs `plan` in a fresh page; messages go to `onMessage`. Resolves with the page's uncaught errors
   * once the plan has run.
   */
  async run(plan: ClientPlan, peer: PeerKind, onMessage: (message: unknown) => void): Promise<string[]> {
    const page: Page = await this.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
    try {
      await page.exposeFunction('tellDriver', onMessage);
      await page.goto(`${this.origin}/harness.html?bundle=${BUNDLE}`);
      await page.locator(`body[data-ready="${BUNDLE}"]`).waitFor();
      await page.addScriptTag({ content: this.contract });
      // Only a plain call here: tsx would wrap a function defined inside in a helper the page lacks.
      await page.evaluate(([plan, peer]) => window.corowsContract.runInPage(plan, peer), [plan, peer] as const);
      onMessage({ done: true });
      return errors;
    } finally {
      await page.close();
    }
  }

  async stop(): Promise<void> {
    await this.browser.close();
    this.site.closeAllConnections();
    await new Promise((resolve) => this.site.close(resolve));
  }
}

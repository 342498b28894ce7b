import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test as base } from './fixtures.js';

const demoDir = fileURLToPath(new URL('../../demo', import.meta.url));
/** Where the screenshot goes (git-ignored), besides being attached to the test's results. */
const screenshotPath = fileURLToPath(new URL('../artifacts/demo-chat.png', import.meta.url));

/**
 * The demo as a person starts it (`pnpm demo`, which `npm start` runs): a child process that prints
 * the address to open. Port 0: it picks free ports.
 */
const test = base.extend<object, { demoUrl: string }>({
  demoUrl: [
    async ({}, use) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
        cwd: demoDir,
        env: { ...process.env, DEMO_PORT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let printed = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          printed += chunk;
          const match = /open (http:\/\/\S+) in a browser/.exec(printed);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`the demo exited (code ${code}) before printing its address:\n${printed}`)));
      });
      await use(url);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
    { scope: 'worker' },
  ],
});

// One demo process for the file: its tests run in order in one worker.
test.describe.configure({ mode: 'default' });

async function joinAs(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.locator('#status')).toHaveText(`connected as ${name}`);
}

test('the chat demo: two people join, talk, and see each other come and go', async ({ context, demoUrl }, testInfo) => {
  // Three pages, a dozen round trips and a screenshot: more than the suite's 15 s on a busy 2-core machine.
  test.slow();
  const alice = await context.newPage();
  const bob = await context.newPage();
  await joinAs(alice, demoUrl, 'alice');
  await joinAs(bob, demoUrl, 'bob');

  await expect(alice.locator('#lines')).toContainText('bob joined.');
  await expect(alice.locator('#online li')).toHaveText(['alice (you)', 'bob']);
  await expect(bob.locator('#online li')).toHaveText(['alice', 'bob (you)']);

  await alice.getByPlaceholder('Say something').fill('Hello from Chromium');
  await alice.keyboard.press('Enter');
  await expect(bob.locator('#lines li.said').last()).toContainText('alice Hello from Chromium');
  await bob.getByPlaceholder('Say something').fill('hi alice, corows works in the browser');
  await bob.getByRole('button', { name: 'Send' }).click();
  await expect(alice.locator('#lines li.said').last()).toContainText('bob hi alice, corows works in the browser');
  await expect(alice.getByPlaceholder('Say something')).toHaveValue('');

  // A third visitor gets the history, then leaves.
  const carol = await context.newPage();
  await joinAs(carol, demoUrl, 'carol');
  await expect(carol.locator('#lines li.said')).toHaveCount(2);
  await carol.close();
  await expect(alice.locator('#lines')).toContainText('carol left.');
  await expect(alice.locator('#online li')).toHaveText(['alice (you)', 'bob']);

  await alice.screenshot({ path: screenshotPath, fullPage: true });
  await testInfo.attach('demo-chat.png', { path: screenshotPath, contentType: 'image/png' });
});

test('a bad join is refused with a message, and the page says so', async ({ page, demoUrl }) => {
  await page.goto(demoUrl);
  await page.getByLabel('Your name').evaluate((input: HTMLInputElement) => {
    input.removeAttribute('maxlength'); // past the page's own limit, to reach the server's check
    input.value = 'y'.repeat(30);
  });
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('alert')).toHaveText('a name must have 1 to 24 characters');
  await expect(page.locator('#status')).toHaveText('not joined');
});

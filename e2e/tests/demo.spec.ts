import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test as base } from './fixtures.js';

const demoDir = fileURLToPath(new URL('../../demo', import.meta.url));
/** Where the screenshot goes (git-ignored), besides being attached to the test's results. */
const screenshotPath = fileURLToPath(new URL('../artifacts/demo-chat.png', import.meta.url));

/** A demo process: the page's address, the WebSocket server's, and how to stop it (Ctrl-C). */
interface DemoProcess {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * The demo as a person starts it (`pnpm demo`, which `npm start` runs): a child process that prints
 * the addresses to open. Port 0 unless `env` says otherwise: it picks free ports.
 */
async function startDemoProcess(env: Record<string, string> = {}): Promise<DemoProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
    cwd: demoDir,
    env: { ...process.env, DEMO_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let printed = '';
  const [url, wsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      printed += chunk;
      const match = /open (http:\/\/\S+) in a browser \(WebSocket (ws:\/\/\S+);/.exec(printed);
      if (match !== null) resolve([match[1] as string, match[2] as string]);
    });
    child.once('exit', (code) => reject(new Error(`the demo exited (code ${code}) before printing its address:\n${printed}`)));
  });
  return {
    url,
    wsUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

const test = base.extend<object, { demoUrl: string }>({
  demoUrl: [
    async ({}, use) => {
      const demo = await startDemoProcess();
      await use(demo.url);
      await demo.stop();
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

test('the chat demo: two people join, talk, and see each other come and go', async ({ context, demoUrl }) => {
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
});

async function say(page: Page, text: string): Promise<void> {
  await page.getByPlaceholder('Say something').fill(text);
  await page.keyboard.press('Enter');
  await expect(page.getByPlaceholder('Say something')).toHaveValue(''); // the send was taken
}

test('a page whose link is cut shows "reconnecting… resumed", and nobody\'s message is lost', async ({ context, demoUrl }, testInfo) => {
  test.slow();
  const alice = await context.newPage();
  const bob = await context.newPage();
  await joinAs(alice, demoUrl, 'alice');
  await joinAs(bob, demoUrl, 'bob');
  await expect(alice.locator('#online li')).toHaveText(['alice (you)', 'bob']);
  await say(alice, 'before the cut');
  await expect(bob.locator('#lines li.said').last()).toContainText('alice before the cut');
  const session = (await alice.locator('#session').textContent())?.replace(/^session /, '') ?? '';
  expect(session).toMatch(/^[A-Za-z0-9_-]{22}$/);

  // The server resets alice's TCP connection (no close frame) and keeps her link down until released.
  await alice.locator('#cut').evaluate((button: HTMLButtonElement) => {
    button.dataset.hold = '60000';
  });
  await alice.getByRole('button', { name: 'Cut my link' }).click();
  await expect(alice.locator('#lines li.link')).toHaveText('Link lost: reconnecting…');
  await expect(alice.locator('#status')).toHaveText('reconnecting…');

  // Both talk while she is away: bob's lines reach the room (and wait for her), hers wait in her page.
  await say(bob, 'bob 1, alice is away');
  await expect(bob.locator('#lines li.said').last()).toContainText('bob 1, alice is away');
  await say(alice, 'alice 1, sent while away');
  await say(bob, 'bob 2, still away');
  await expect(bob.locator('#lines li.said').last()).toContainText('bob 2, still away');
  await say(alice, 'alice 2, sent while away');
  await expect(alice.locator('#status')).toHaveText('reconnecting…');
  await expect(alice.locator('#lines li.said:not(.history)')).toHaveText([/^alice before the cut/]);

  const released = await alice.request.post(new URL(`/release?session=${session}`, demoUrl).href);
  expect(released.status()).toBe(200);
  await expect(alice.locator('#status')).toHaveText('connected as alice · resumed');
  await expect(alice.locator('#lines li.link')).toHaveText('Link lost: reconnecting… resumed, nothing lost.');

  // Every line exactly once, in the room's order, on both pages; alice never left the room.
  const said = [/^alice before the cut/, /^bob bob 1, alice is away/, /^bob bob 2, still away/, /^alice alice 1, sent while away/, /^alice alice 2, sent while away/];
  // (li.history: what the room said before they joined, in an earlier test.)
  await expect(alice.locator('#lines li.said:not(.history)')).toHaveText(said);
  await expect(bob.locator('#lines li.said:not(.history)')).toHaveText(said);
  await expect(bob.locator('#online li')).toHaveText(['alice', 'bob (you)']);
  await expect(bob.locator('#lines')).not.toContainText('alice left.');
  expect(await alice.locator('#session').textContent()).toBe(`session ${session}`);

  await alice.screenshot({ path: screenshotPath, fullPage: true });
  await testInfo.attach('demo-chat.png', { path: screenshotPath, contentType: 'image/png' });
});

test('the link cutter answers bad requests plainly', async ({ request, demoUrl }) => {
  const post = async (path: string) => {
    const answer = await request.post(new URL(path, demoUrl).href);
    return [answer.status(), (await answer.text()).trim()];
  };
  expect(await post('/cut')).toEqual([400, 'missing ?session=ID: the session id the page shows (the corows_session of its links)']);
  expect(await post('/cut?session=nobody')).toEqual([404, 'no open link for session nobody']);
  expect(await post('/cut?session=nobody&hold=-1')).toEqual([400, 'hold must be a whole number of milliseconds from 0 to 60000']);
  expect(await post('/release?session=nobody')).toEqual([404, 'session nobody is not held']);
  expect((await request.get(new URL('/cut?session=nobody', demoUrl).href)).status()).toBe(405);
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

test('a page whose session the server no longer has (the demo restarted) joins again as a new session and says so', async ({ context }) => {
  test.slow();
  const first = await startDemoProcess();
  let second: DemoProcess | undefined;
  try {
    const alice = await context.newPage();
    await joinAs(alice, first.url, 'alice');
    const before = await alice.locator('#session').textContent();
    expect(before).toMatch(/^session [A-Za-z0-9_-]{22}$/);

    // Ctrl-C: the demo closes its connections (1001) and its sessions are gone with the process.
    await first.stop();
    await expect(alice.locator('#status')).toHaveText('reconnecting…');
    await say(alice, 'said while the server was down');
    // The same WebSocket port (the page knows no other), a new process: the resume is refused.
    second = await startDemoProcess({ DEMO_WS_PORT: new URL(first.wsUrl).port });

    // Her join may not have been acknowledged before the stop, so 1 or 2 messages may be missing.
    await expect(alice.locator('#lines li.notice.error').last()).toHaveText(
      /^The session was reset \(the server refused to resume the session: no such session on this server .*\); [12] of your messages may not have arrived\. Joining again…$/,
    );
    await expect(alice.locator('#lines li.notice').last()).toHaveText('You joined again as alice.');
    await expect(alice.locator('#status')).toHaveText('connected as alice');
    await expect(alice.locator('#session')).toHaveText(/^session [A-Za-z0-9_-]{22}$/);
    expect(await alice.locator('#session').textContent()).not.toBe(before);

    // She is in the new server's room: bob sees her, and what she says.
    const bob = await context.newPage();
    await joinAs(bob, second.url, 'bob');
    await expect(bob.locator('#online li')).toHaveText(['alice', 'bob (you)']);
    await say(alice, 'back in a new session');
    await expect(bob.locator('#lines li.said').last()).toContainText('alice back in a new session');
    await expect(bob.locator('#lines')).not.toContainText('said while the server was down');
  } finally {
    await first.stop();
    await second?.stop();
  }
});

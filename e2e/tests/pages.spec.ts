import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

// Three pages of one browser context, each with its own connection, talk through the server's
// /chat route, which relays "name: text" to the other members of the room.

test('several pages talk to each other through the server', async ({ context, site, harnessUrl, connId }) => {
  const names = ['alice', 'bob', 'carol'] as const;
  const pages: Page[] = [];
  for (const name of names) {
    const page = await context.newPage();
    await page.goto(harnessUrl);
    await page.waitForFunction(() => window.corows !== undefined);
    await page.evaluate(async (url) => {
      const conn = await window.corows.connectToWebsocket(url);
      const inbox: unknown[] = [];
      conn.whenNewMsg((msg) => inbox.push(msg));
      Object.assign(window, { conn, inbox });
    }, `${site.ws}/chat?room=${connId}&name=${name}`);
    pages.push(page);
  }
  const [alice, bob, carol] = pages as [Page, Page, Page];
  const inboxOf = (page: Page): Promise<unknown[]> => page.evaluate(() => (window as unknown as { inbox: unknown[] }).inbox);
  const say = (page: Page, text: string): Promise<unknown> =>
    page.evaluate((t) => (window as unknown as { conn: { sendMessage(text: string): Promise<Error | null> } }).conn.sendMessage(t), text);

  expect(await say(alice, 'hi all')).toBeNull();
  await expect.poll(() => inboxOf(bob)).toEqual(['alice: hi all']);
  await expect.poll(() => inboxOf(carol)).toEqual(['alice: hi all']);

  await say(bob, 'hi alice');
  await say(carol, 'hello');
  await expect.poll(() => inboxOf(alice)).toEqual(['bob: hi alice', 'carol: hello']);
  await expect.poll(() => inboxOf(carol)).toEqual(['alice: hi all', 'bob: hi alice']);

  await carol.close(); // the page goes away: the server drops carol from the room
  await say(alice, 'still here?');
  await expect.poll(() => inboxOf(bob)).toEqual(['alice: hi all', 'carol: hello', 'alice: still here?']);
  expect(await inboxOf(alice)).toEqual(['bob: hi alice', 'carol: hello']);
});

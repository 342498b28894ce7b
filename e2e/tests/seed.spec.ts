import { expect, test } from './fixtures.js';

test("the seed's full example runs in a page against the seed's server", async ({ page, site, connId, serverRecord }) => {
  const ws = `${site.ws}/seed?id=${connId}`;
  await page.goto(`${site.http}/seed.html?ws=${encodeURIComponent(ws)}`);
  await expect(page.locator('body')).toHaveAttribute('data-done', 'true');

  await expect(page.locator('#log')).toHaveText(
    [
      'websocket client received (first message): server hello',
      'websocket client received (not intercepted): server echo: client hello 1',
      'websocket client received (not intercepted): server echo: client hello 2',
      'websocket client received: server echo: client hello 3',
      'websocket client received: server echo: client hello 4',
      'websocket connection closed!',
      'closed: 1000, state CLOSED',
      '',
    ].join('\n'),
  );
  await expect.poll(() => serverRecord(connId)).toMatchObject({
    received: ['client hello', 'client hello 1', 'client hello 2', 'client hello 3', 'client hello 4'],
    closeCode: 1000,
  });
});

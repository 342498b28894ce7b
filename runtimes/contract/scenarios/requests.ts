import { equal, isA } from '../expect.ts';
import type { Scenario } from '../types.ts';

/** Request and reply (the puppet answers every request with `{ echo: value }`). */
export const requestScenarios: Scenario[] = [
  {
    id: 'requests',
    name: 'request(): concurrent requests each get their own reply between corows ends; a peer that is not corows refuses at once with ERR_UNSUPPORTED',
    async run(conn, { api, peer }) {
      if (peer !== 'corows') {
        const err = await conn.request('hello').catch((e: unknown) => e);
        isA(err, api.CorowsError, 'a request to a peer that is not corows');
        equal((err as { code?: string }).code, 'ERR_UNSUPPORTED', 'its code');
        await conn.sendMessage('still plain');
        equal(await conn.receiveMessage(), 'still plain', 'the echo of a plain message after the refused request');
        return;
      }
      // The puppet sets its handler when it starts obeying: its echo of a message says it has.
      await conn.sendMessage('ready?');
      equal(await conn.receiveMessage(), 'ready?', 'the puppet\'s echo');
      const asked = Array.from({ length: 200 }, (_, n) => conn.request<{ echo: number }>(n));
      await conn.sendMessage('between requests');
      const replies = await Promise.all(asked);
      replies.forEach((reply, n) => equal(reply.echo, n, `the reply to request ${n}`));
      equal(await conn.receiveMessage(), 'between requests', 'the plain message, and no request or reply, in the inbox');
      equal(conn.queuedMessages, 0, 'nothing else in the inbox');
    },
  },
];

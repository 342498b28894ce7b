import { equal } from '../expect.ts';
import { KEEP_ALIVE } from '../settings.ts';
import { quietWindow } from '../support.ts';
import type { Scenario } from '../types.ts';

/** Pings and the heartbeat. */
export const livenessScenarios: Scenario[] = [
  {
    id: 'ping',
    name: 'ping() is answered by the pong event (browsers cannot ping: ping() returns false)',
    async run(conn, { can }) {
      if (!can.ping) {
        equal(conn.ping(), false, 'ping() where the runtime cannot ping (and no corows heartbeat was agreed)');
        return;
      }
      const pong = new Promise<void>((resolve) => conn.once('pong', () => resolve()));
      equal(conn.ping(), true, 'ping()');
      await pong;
    },
  },
  {
    id: 'keep-alive',
    concurrent: true,
    heartbeat: true,
    connect: { keepAlive: KEEP_ALIVE },
    name: 'with a heartbeat, an idle peer that answers is kept open (browsers: the corows heartbeat where the peer agrees)',
    async run(conn, { can, peer, side }) {
      // A server's heartbeat is on for every connection (this scenario's server beats at KEEP_ALIVE).
      const mode = side === 'server' || can.ping ? 'protocol' : peer === 'corows' ? 'message' : 'off';
      equal(conn.heartbeat, mode, 'conn.heartbeat');
      // A heartbeat that did not hear the answers would drop the link at the first beat past the timeout.
      await quietWindow(2 * KEEP_ALIVE.interval + KEEP_ALIVE.timeout + 300);
      equal(conn.state, 'OPEN', 'state after the idle window');
      await conn.sendMessage('still here');
      equal(await conn.receiveMessage(), 'still here', 'the echo after the idle window');
    },
  },
];

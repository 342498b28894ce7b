// Issue 14's cost clause, structurally: a connection that never uses requests has no control plane,
// and this process never loaded its module; using requests on one connection gives only that one a
// control plane. (bench/src/heap-probe.ts --requests measures the bytes.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedControlPlane } from '../../core/src/control-loader.js';
import { connectToWebsocket, type ServerConn, type WebSocketConn } from '../src/index.js';
import { startServer, waitFor } from './helpers.js';

/** The connection's private pipeline: its control plane (`undefined` until made) and its protocol layer. */
function pipelineOf(conn: WebSocketConn): { control: unknown; protocol: { agreed: boolean } } {
  return (conn as unknown as { pipeline: { control: unknown; protocol: { agreed: boolean } } }).pipeline;
}
const controlOf = (conn: WebSocketConn): unknown => pipelineOf(conn).control;

test('plain traffic never makes a control plane; requests make one for their connection only', async (t) => {
  const accepted: ServerConn[] = [];
  const { url } = await startServer(t, (conn) => {
    accepted.push(conn);
    conn.whenNewMsg((msg) => void conn.sendMessage(msg as string));
  });

  const plain = await connectToWebsocket(url);
  t.after(() => plain.terminate());
  await waitFor(() => accepted.length === 1, 'the server to take the first connection');
  const plainServer = accepted[0] as ServerConn;
  for (let i = 0; i < 20; i++) {
    await plain.sendMessage(`m${i}`);
    assert.equal(await plain.receiveMessage({ timeout: 5_000 }), `m${i}`);
  }
  // An agreed link (control messages possible), not a plain one that could never have a control plane.
  assert.equal(pipelineOf(plain).protocol.agreed, true);
  assert.equal(pipelineOf(plainServer).protocol.agreed, true);
  await plain.send({ json: true });
  assert.deepEqual(JSON.parse((await plain.receiveMessage({ timeout: 5_000 })) as string), { json: true });
  assert.equal(controlOf(plain), undefined, 'the client of plain traffic has no control plane');
  assert.equal(controlOf(plainServer), undefined, 'the server connection of plain traffic has no control plane');
  assert.equal(loadedControlPlane(), undefined, 'nothing loaded the control plane module');

  // The same probes see a control plane where requests are used, and only there.
  const user = await connectToWebsocket(url);
  t.after(() => user.terminate());
  await waitFor(() => accepted.length === 2, 'the server to take the second connection');
  const userServer = accepted[1] as ServerConn;
  userServer.whenRequest((value) => value);
  assert.equal(await user.request(7, { timeout: 5_000 }), 7);
  assert.notEqual(loadedControlPlane(), undefined);
  assert.notEqual(controlOf(user), undefined);
  assert.notEqual(controlOf(userServer), undefined);
  assert.equal(controlOf(plain), undefined, 'requests on another connection gave this one nothing');
  assert.equal(controlOf(plainServer), undefined);
});

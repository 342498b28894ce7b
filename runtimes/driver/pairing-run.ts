import { createServer } from 'node:net';
import type { ClientPlan } from '../contract/runner.ts';
import { scenariosFor } from '../contract/scenarios/index.ts';
import type { PeerKind, Scenario, Side } from '../contract/types.ts';
import type { ChromiumClient } from './chromium.ts';
import { Outcomes } from './outcomes.ts';
import type { Pairing } from './pairings.ts';
import { PeerProcess } from './peer-process.ts';
import { findPython, packageDir, peerCommand } from './runtimes.ts';

/** How long a server may take to say where it listens (a cold Deno compiles the TypeScript first). */
const START_TIMEOUT = 60_000;

/** One pairing, running: its server, its client, and what they report. */
export class PairingRun {
  readonly outcomes = new Outcomes();
  /** Uncaught errors of the page (Chromium clients). */
  pageErrors: string[] = [];
  private readonly peers: PeerProcess[] = [];
  private clientDone: Promise<unknown> = Promise.resolve();

  constructor(
    readonly pairing: Pairing,
    private readonly chromium: () => Promise<ChromiumClient>,
  ) {}

  /** The scenarios the client end is the subject of. */
  get clientScenarios(): Scenario[] {
    return this.pairing.client === 'python' ? [] : selectScenarios('client');
  }

  /** The scenarios the server end is the subject of. */
  get serverScenarios(): Scenario[] {
    return this.pairing.server === 'python' ? [] : selectScenarios('server');
  }

  /** Starts the server, then the client; the outcomes come in as the client works through its plan. */
  async start(): Promise<void> {
    const { server, client } = this.pairing;
    const accept = (message: unknown): void => this.outcomes.accept(message);
    const serverPeer = server === 'python'
      ? new PeerProcess('Python server', python(), ['peers/python_peer.py', 'server'], packageDir, accept)
      : new PeerProcess(`${server} server`, ...peerCommand(server, 'peers/server.ts', [server, peerKind(client)]), packageDir, accept);
    this.peers.push(serverPeer);
    void serverPeer.exited.then((reason) => this.outcomes.abandon(new Error(reason)));
    const addresses = await withTimeout(serverPeer.listening, `the ${server} server did not say where it listens within ${START_TIMEOUT} ms`);
    const plan: ClientPlan = {
      base: addresses.listening,
      heartbeatBase: addresses.heartbeat ?? addresses.listening, // Python: one server, its own heartbeat
      refused: await vacantAddress(),
      subjects: this.clientScenarios.map((scenario) => scenario.id),
      puppets: this.serverScenarios.map((scenario) => scenario.id),
      concurrent: this.serverScenarios.filter((scenario) => scenario.concurrent === true).map((scenario) => scenario.id),
      heartbeat: this.serverScenarios.filter((scenario) => scenario.heartbeat === true).map((scenario) => scenario.id),
    };
    if (client === 'chromium') {
      this.clientDone = (await this.chromium()).run(plan, peerKind(server), accept).then(
        (errors) => (this.pageErrors = errors),
        (err: unknown) => this.outcomes.abandon(new Error(`the Chromium page failed: ${err instanceof Error ? err.message : String(err)}`)),
      );
      return;
    }
    const clientPeer = client === 'python'
      ? new PeerProcess('Python client', python(), ['peers/python_peer.py', 'client', JSON.stringify(plan)], packageDir, accept)
      : new PeerProcess(`${client} client`, ...peerCommand(client, 'peers/client.ts', [client, peerKind(server), JSON.stringify(plan)]), packageDir, accept);
    this.peers.push(clientPeer);
    this.clientDone = clientPeer.exited.then((reason) => {
      if (!clientPeer.finished) this.outcomes.abandon(new Error(reason));
    });
  }

  /** Waits for the client to finish its plan. */
  async clientFinished(): Promise<void> {
    await this.clientDone;
  }

  /** Stops every process of the pairing. */
  async stop(): Promise<void> {
    await Promise.all(this.peers.map((peer) => peer.stop()));
  }
}

/** The scenarios of `side` whose id or name matches `COROWS_SCENARIOS` (a regular expression), or all. */
function selectScenarios(side: Side, pattern = process.env.COROWS_SCENARIOS): Scenario[] {
  const all = scenariosFor(side);
  if (pattern === undefined || pattern === '') return all;
  const wanted = new RegExp(pattern, 'i');
  return all.filter((scenario) => wanted.test(scenario.id) || wanted.test(scenario.name));
}

function peerKind(runtime: string): PeerKind {
  return runtime === 'python' ? 'python' : 'corows';
}

function python(): string {
  const found = findPython();
  if ('missing' in found) throw new Error(found.missing);
  return found.path;
}

/** An address where nothing listens: a port just freed. */
async function vacantAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}`;
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), START_TIMEOUT);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Runs scenarios on one end of a pairing and reports each outcome. The same code runs in a client
// process (Node, Bun, Deno), in a page (Chromium) and in a server process.
import { CAPABILITIES } from './capabilities.ts';
import { obey } from './puppet.ts';
import { scenarios } from './scenarios/index.ts';
import { LIMITS, SCENARIO_DEADLINE } from './settings.ts';
import type { Conn, CorowsApi, Outcome, PeerKind, Runtime, Scenario, ScenarioContext, Side } from './types.ts';

/** Where a runner is and whom it reports to. */
export interface RunnerEnv {
  api: CorowsApi;
  runtime: Runtime;
  /** What the other end of the pairing is. */
  peer: PeerKind;
  report: (outcome: Outcome) => void;
}

/** What a client end does in one pairing. */
export interface ClientPlan {
  /** The server: `ws://127.0.0.1:<port>`. */
  base: string;
  /** The server for scenarios with `heartbeat` (its heartbeat is KEEP_ALIVE). */
  heartbeatBase: string;
  /** An address where nothing listens. */
  refused: string;
  /** Scenarios this end is the subject of, against the server's puppet. */
  subjects: string[];
  /** Server scenarios this end is the puppet of. */
  puppets: string[];
  /** The puppets that run alongside the others: for a peer that does not read the scenarios (Python). */
  concurrent?: string[];
  /** The puppets that run on `heartbeatBase`: for a peer that does not read the scenarios (Python). */
  heartbeat?: string[];
}

/** Runs a client end's part of a pairing; resolves when every part has reported. */
export async function runClientSide(env: RunnerEnv, plan: ClientPlan): Promise<void> {
  const parts = [
    ...plan.subjects.map((id) => ({ concurrent: find(id).concurrent === true, run: () => clientSubject(env, plan, find(id)) })),
    ...plan.puppets.map((id) => ({ concurrent: find(id).concurrent === true, run: () => clientPuppet(env, plan, find(id)) })),
  ];
  const alongside = parts.filter((part) => part.concurrent).map((part) => part.run());
  for (const part of parts) if (!part.concurrent) await part.run();
  await Promise.all(alongside);
}

/** The server end's connection handler: `/puppet?scenario=<id>` obeys, `/subject/<id>` runs the scenario. */
export function serveContract(env: RunnerEnv): (conn: Conn) => void {
  return (conn) => {
    const url = new URL(conn.url, 'ws://server');
    if (url.pathname === '/puppet') {
      const handshake = { path: conn.url, headers: headerPairs(conn.headers) };
      void obey(conn, url.searchParams.get('scenario') ?? '?', env.report, handshake);
      return;
    }
    const id = decodeURIComponent(url.pathname.replace(/^\/subject\//, ''));
    if (!scenarios.some((scenario) => scenario.id === id)) {
      void conn.close(4004, `no scenario ${id}`);
      return;
    }
    const ctx = context(env, 'server', { puppet: '', refusing: '', refused: '' });
    void runSubject(env, find(id), conn, ctx);
  };
}

/** The server a scenario runs against. */
function baseOf(plan: ClientPlan, scenario: Scenario): string {
  return scenario.heartbeat === true ? plan.heartbeatBase : plan.base;
}

async function clientSubject(env: RunnerEnv, plan: ClientPlan, scenario: Scenario): Promise<void> {
  const puppet = `${baseOf(plan, scenario)}/puppet?scenario=${encodeURIComponent(scenario.id)}`;
  const ctx = context(env, 'client', { puppet, refusing: `${plan.base}/refuse`, refused: plan.refused });
  const started = Date.now();
  let conn: Conn;
  try {
    conn = await env.api.connectToWebsocket(puppet, { ...LIMITS, ...scenario.connect });
  } catch (err) {
    env.report({ scenario: scenario.id, role: 'client', ok: false, error: `could not connect to the puppet: ${describe(err)}`, ms: Date.now() - started });
    return;
  }
  await runSubject(env, scenario, conn, ctx);
}

async function clientPuppet(env: RunnerEnv, plan: ClientPlan, scenario: Scenario): Promise<void> {
  const { id } = scenario;
  const started = Date.now();
  const fail = (error: string): void => env.report({ scenario: id, role: 'puppet', ok: false, error, ms: Date.now() - started });
  let conn: Conn;
  try {
    conn = await env.api.connectToWebsocket(`${baseOf(plan, scenario)}/subject/${encodeURIComponent(id)}?from=puppet`);
  } catch (err) {
    fail(`the puppet could not connect: ${describe(err)}`);
    return;
  }
  const deadline = withDeadline(obey(conn, id, env.report), `the puppet of ${id}: the server did not close within ${SCENARIO_DEADLINE} ms`);
  await deadline.catch((err: unknown) => {
    conn.terminate();
    fail(describe(err));
  });
}

async function runSubject(env: RunnerEnv, scenario: Scenario, conn: Conn, ctx: ScenarioContext): Promise<void> {
  const started = Date.now();
  const outcome: Outcome = { scenario: scenario.id, role: ctx.side, ok: true, ms: 0 };
  try {
    await withDeadline(scenario.run(conn, ctx), `did not finish within ${SCENARIO_DEADLINE} ms`);
  } catch (err) {
    outcome.ok = false;
    outcome.error = describe(err);
    if (conn.state === 'CLOSED') outcome.error += `\n(the connection had closed: code ${conn.closeCode}, reason ${JSON.stringify(conn.closeReason)})`;
  }
  outcome.ms = Date.now() - started;
  env.report(outcome);
  if (conn.state === 'CLOSED') return;
  await withDeadline(conn.close(), 'close() hung').catch(() => conn.terminate());
}

function context(env: RunnerEnv, side: Side, addresses: ScenarioContext['addresses']): ScenarioContext {
  return { api: env.api, side, runtime: env.runtime, can: CAPABILITIES[env.runtime], peer: env.peer, limits: LIMITS, addresses };
}

function find(id: string): Scenario {
  const scenario = scenarios.find((candidate) => candidate.id === id);
  if (scenario === undefined) throw new Error(`no scenario ${id}`);
  return scenario;
}

/** `promise`, or a rejection with `message` once SCENARIO_DEADLINE has passed. */
export function withDeadline<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), SCENARIO_DEADLINE);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The headers as `[name, value]` pairs, one per value. */
function headerPairs(headers: Conn['headers']): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, item]),
  );
}

/** An error as the driver shows it: name, message, and where it was thrown. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const where = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 4).join('\n');
  return `${err.name}: ${err.message}${where === '' ? '' : `\n${where}`}`;
}

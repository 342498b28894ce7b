/**
 * corows on every core of one machine: Node's `cluster` forks one worker per core; the workers share
 * one port (the primary hands each new connection to the next worker) and one Redis (a RedisAdapter
 * each), so a message from a client of any worker reaches the clients of all of them. A worker that
 * dies is replaced; the new one joins the others through Redis.
 *
 * Needs a Redis (`redis-server`, or REDIS_URL=redis://host:port). Then:
 *   pnpm --filter @corows/examples run cluster              # a chat relay on ws://127.0.0.1:8080, every core
 *   pnpm --filter @corows/examples run cluster -- --check   # also connects clients, checks the relay, exits
 * Environment: PORT (8080; 0 picks a free one), HOST (127.0.0.1), WORKERS (one per core), REDIS_URL
 * (redis://127.0.0.1:6379), PREFIX (corows-cluster-example).
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { closeOnSignals, connectToWebsocket, createWebsocketServer, type WebSocketConn } from '@corows/node-server';
import { RedisAdapter } from '@corows/redis-adapter';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const workerCount = Number(process.env.WORKERS ?? availableParallelism());
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.PREFIX ?? 'corows-cluster-example';
const check = process.argv.includes('--check');

if (cluster.isPrimary) await primary();
else await worker();

/** One chat relay per worker: each client joins `chat`; what one says goes to every client of every worker. */
async function worker(): Promise<void> {
  const server = createWebsocketServer(host, port, { adapter: new RedisAdapter({ redis, prefix }) });
  server.whenNewConn((conn) => {
    conn.join('chat');
    void conn.sendMessage(`hello from worker ${process.pid}`);
    conn.whenNewMsg((msg) => {
      if (typeof msg === 'string') void server.to('chat').sendMessage(`worker ${process.pid} relays: ${msg}`);
    });
  });
  server.whenDead((reason) => {
    console.error(`worker ${process.pid} stopped: ${reason}`);
    process.exit(reason === 'server shutting down' ? 0 : 1);
  });
  closeOnSignals(server);
  const address = await server.listening.catch(() => undefined); // whenDead has the reason
  if (address !== undefined) process.send?.({ listening: address.port });
}

async function primary(): Promise<void> {
  console.log(`primary ${process.pid}: ${workerCount} workers on ${host}:${port}, Redis ${redis}`);
  let started = false;
  let stopping = false;
  const listening = new Set<Worker>();
  const allListening = new Promise<number>((resolve, reject) => {
    cluster.on('message', (child, message: { listening?: number }) => {
      if (message.listening === undefined) return;
      listening.add(child);
      if (listening.size === workerCount) resolve(message.listening);
    });
    cluster.on('exit', (child, code, signal) => {
      listening.delete(child);
      if (stopping) return;
      if (!started) {
        reject(new Error(`worker ${child.process.pid} died while starting (${signal ?? code}); is Redis running at ${redis}?`));
        return;
      }
      console.log(`worker ${child.process.pid} died (${signal ?? code}); starting another, which joins the others through Redis`);
      cluster.fork();
    });
  });
  for (let i = 0; i < workerCount; i++) cluster.fork();
  const stop = async (code: number): Promise<never> => {
    stopping = true;
    const exits = Object.values(cluster.workers ?? {}).map((child) => new Promise((resolve) => {
      child?.once('exit', resolve);
      child?.kill('SIGTERM');
    }));
    await Promise.all(exits);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0)).once('SIGTERM', () => void stop(0));

  let boundPort: number;
  try {
    boundPort = await withDeadline(allListening, 20_000, 'the workers to listen');
    started = true;
  } catch (err) {
    console.error(`primary: ${(err as Error).message}`);
    return stop(1);
  }
  console.log(`primary: every worker listens on ws://${host}:${boundPort}`);
  if (!check) return;
  try {
    await checkRelay(`ws://${host}:${boundPort}`);
    await stop(0);
  } catch (err) {
    console.error(`check failed: ${(err as Error).message}`);
    await stop(1);
  }
}

/** Connects two clients per worker and checks that one message reaches each of them exactly once. */
async function checkRelay(url: string): Promise<void> {
  const clients: Array<{ conn: WebSocketConn; worker: string }> = [];
  for (let i = 0; i < workerCount * 2; i++) {
    const conn = await connectToWebsocket(url);
    const greeting = String(await conn.receiveMessage({ timeout: 5_000 }));
    clients.push({ conn, worker: greeting.replace('hello from worker ', '') });
  }
  const workers = new Set(clients.map((client) => client.worker));
  console.log(`check: ${clients.length} clients on ${workers.size} workers (${[...workers].join(', ')})`);
  if (workerCount > 1 && workers.size < 2) throw new Error('every client landed on one worker: nothing crosses workers');

  const sender = clients[0] as (typeof clients)[number];
  await sender.conn.sendMessage('hi');
  await sender.conn.sendMessage('bye');
  for (const { conn, worker } of clients) {
    const got: string[] = [];
    for (let msg = await conn.receiveMessage({ timeout: 5_000 }); !String(msg).endsWith(': bye'); msg = await conn.receiveMessage({ timeout: 5_000 })) {
      got.push(String(msg));
    }
    if (got.length !== 1 || got[0] !== `worker ${sender.worker} relays: hi`) {
      throw new Error(`a client of worker ${worker} got ${JSON.stringify(got)} instead of the message once`);
    }
  }
  await Promise.all(clients.map(({ conn }) => conn.close()));
  console.log(`check: a message sent to worker ${sender.worker} reached all ${clients.length} clients on ${workers.size} workers, each once`);
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

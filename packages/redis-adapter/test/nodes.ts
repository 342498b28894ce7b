import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { defer } from './helpers.js';
import { connectToWebsocket, type Message, type WebSocketConn } from '@corows/node-server';

const FIXTURE = fileURLToPath(new URL('./fixtures/node.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Settings of a node process (see fixtures/node.ts). */
export interface NodeSettings {
  /** A single Redis (`redis://…`). */
  redisUrl?: string;
  /** Or the nodes of a Redis Cluster (`redis://…` each). */
  cluster?: readonly string[];
  prefix?: string;
  heartbeatInterval?: number;
  nodeTimeout?: number;
}

/** A corows node in a child process (fixtures/node.ts), killed when the test ends. */
export interface NodeProcess {
  readonly index: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Each `error <message>` line the node printed. */
  readonly errors: string[];
  /** Kills it at once (SIGKILL), like a crash. */
  kill(): Promise<void>;
}

/** Starts a node process, killed when the test ends; resolves once it listens. */
export async function startNode(t: TestContext, index: number, settings: NodeSettings): Promise<NodeProcess> {
  return spawnNode(index, settings, (kill) => defer(t, kill));
}

/**
 * Starts a node process; resolves once it listens. `onSpawn` gets its kill function at once, so that a
 * caller can clean up a node that never comes to listen.
 */
export async function spawnNode(index: number, settings: NodeSettings, onSpawn?: (kill: () => Promise<void>) => void): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: {
      ...process.env,
      REDIS_URL: settings.redisUrl ?? '',
      REDIS_CLUSTER: settings.cluster?.join(',') ?? '',
      PREFIX: settings.prefix ?? 'corows-test',
      HEARTBEAT_INTERVAL: String(settings.heartbeatInterval ?? 5_000),
      NODE_TIMEOUT: String(settings.nodeTimeout ?? 15_000),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  onSpawn?.(kill);
  const errors: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`node ${index} exited before listening (${code ?? signal})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve(Number(line.slice('listening '.length)));
      if (line.startsWith('error ')) errors.push(line.slice('error '.length));
    });
  });
  return { index, url: `ws://127.0.0.1:${port}`, process: child, errors, kill };
}

/** A reply of a node to a client's command. */
export type Reply = Record<string, unknown>;

/**
 * A client of a node process: keeps every broadcast it receives (`received`) apart from the node's
 * replies to its commands (`command()`).
 */
export class NodeClient {
  /** Broadcasts received, in order: text as it is, binary as `bin:<hex>`. */
  readonly received: string[] = [];
  private readonly replies = new Map<number, (reply: Reply) => void>();
  private seq = 0;
  private arrivals: Array<() => void> = [];

  private constructor(
    readonly conn: WebSocketConn,
    readonly node: number,
    readonly rooms: readonly string[],
    readonly id: string,
    /** The id of the node's server (`server.nodeId`). */
    readonly nodeId: string,
    private readonly onBroadcast: ((msg: Message) => void) | undefined,
  ) {}

  /**
   * Connects to `node`, joining `rooms`; resolves once the node greeted it with the connection id.
   * With `onBroadcast`, broadcasts go to it instead of `received` (for the bench: no copies kept).
   */
  static async connect(node: NodeProcess, rooms: readonly string[] = [], onBroadcast?: (msg: Message) => void): Promise<NodeClient> {
    const conn = await connectToWebsocket(`${node.url}/?rooms=${rooms.join(',')}`);
    const greeting = JSON.parse(String(await conn.receiveMessage())) as { reply: number; id: string; node: string };
    const client = new NodeClient(conn, node.index, rooms, greeting.id, greeting.node, onBroadcast);
    conn.whenNewMsg((msg) => client.take(msg));
    return client;
  }

  /** Sends a command to the node; resolves with its reply. */
  command(op: string, fields: Record<string, unknown> = {}): Promise<Reply> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.replies.set(seq, resolve);
      void this.conn.send({ seq, op, ...fields });
    });
  }

  /** Resolves once a broadcast for which `match` is true has arrived (at once if one has). */
  async waitFor(match: (msg: string) => boolean, what: string, timeout = 5_000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!this.received.some(match)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`client ${this.id} of node ${this.node} timed out waiting for ${what}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.arrivals.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private take(msg: Message | null): void {
    if (msg === null) return;
    if (typeof msg === 'string' && msg.startsWith('{"reply":')) {
      const reply = JSON.parse(msg) as Reply & { reply: number };
      this.replies.get(reply.reply)?.(reply);
      this.replies.delete(reply.reply);
      return;
    }
    if (this.onBroadcast !== undefined) {
      this.onBroadcast(msg);
      return;
    }
    this.received.push(typeof msg === 'string' ? msg : `bin:${Buffer.from(msg).toString('hex')}`);
    for (const wake of this.arrivals.splice(0)) wake();
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createWebsocketServer } from '@corows/node-server';
import { openChatRoom, type ChatRoom } from './chat-room.js';
import { createLinkCutter } from './link-cutter.js';
import { bundleDir, createSite } from './site.js';

/** Where the demo listens. */
export interface DemoOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** The page's port; 0 picks a free one. @default 8080 */
  port?: number;
  /** The WebSocket server's port; 0 picks a free one. @default 0 */
  wsPort?: number;
  /** Hears joins and leaves. */
  log?: (line: string) => void;
}

/** A running demo. */
export interface Demo {
  /** The address to open in a browser. */
  url: string;
  /** The WebSocket address of the chat room. */
  wsUrl: string;
  room: ChatRoom;
  /** Stops both servers; connections close with 1001. */
  close(): Promise<void>;
}

/**
 * Starts the chat demo: a corows WebSocket server running the room, with sessions (`resume`), and a
 * web server for the page, whose `POST /cut?session=ID` cuts a session's link to show it resume.
 * Rejects with what to do if the browser bundle has not been built, or if a port is taken.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  if (!existsSync(join(bundleDir, 'corows.js'))) {
    throw new Error(`the browser bundle is missing in ${bundleDir}: run \`pnpm build\` first`);
  }
  const host = options.host ?? '127.0.0.1';
  const cutter = createLinkCutter();
  const server = createWebsocketServer(host, options.wsPort ?? 0, { resume: true, verify: cutter.track });
  const room = openChatRoom(server, options.log);
  const { port: wsPort } = await server.listening;

  const site = createSite(() => wsPort, cutter);
  try {
    await new Promise<void>((resolve, reject) => {
      site.once('error', reject);
      site.listen(options.port ?? 8080, host, () => resolve());
    });
  } catch (err) {
    await server.close('the demo could not start');
    throw new Error(`the demo page cannot listen on ${host}:${options.port ?? 8080}: ${(err as Error).message} (set DEMO_PORT to another port, or 0 for any free one)`, { cause: err });
  }
  const { port } = site.address() as { port: number };
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/`,
    wsUrl: `ws://${shown}:${wsPort}/`,
    room,
    async close() {
      site.closeAllConnections();
      await Promise.all([server.close('demo stopped'), new Promise<void>((resolve) => site.close(() => resolve()))]);
    },
  };
}

// A page's module against the installed @corows/browser: both entry points and their types.
import { ConnectError, connectToWebsocket, type Message, type WebSocketConn } from '@corows/browser';
import * as minified from '@corows/browser/corows.min.js';

export async function firstMessage(url: string): Promise<Message | null> {
  const conn: WebSocketConn = await connectToWebsocket(url, { reconnect: true });
  try {
    return await conn.receiveMessage({ timeout: 1000 });
  } finally {
    await conn.close();
  }
}

export const sameApi: typeof connectToWebsocket = minified.connectToWebsocket;
export const isConnectError = (err: unknown): boolean => err instanceof ConnectError;

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { applicationProtocols } from '@corows/core/server';

/** What the `verify` hook and a `protocols` function see of an upgrade request, before the upgrade. */
export interface UpgradeRequest {
  /** The request target: path and query, as sent (`/chat?room=1`). */
  readonly url: string;
  /** The path alone (`/chat`). */
  readonly path: string;
  /** The query parameters (browsers cannot send headers: a token often comes this way). */
  readonly query: URLSearchParams;
  /** The request headers, with lower-case names. */
  readonly headers: IncomingHttpHeaders;
  /** The `Origin` header, if any (browsers always send it; other clients may not). */
  readonly origin: string | undefined;
  /** The client's IP address. */
  readonly remoteAddress: string | undefined;
  /** The application subprotocols the client offered, in its order (empty if none; the corows heartbeat's own are left out). */
  readonly protocols: readonly string[];
  /** Whether the request came over TLS. */
  readonly secure: boolean;
  /** Node's request object, for anything else (cookies, the socket, …). */
  readonly request: IncomingMessage;
}

/** Reads what corows tells its hooks about `req`. */
export function describeUpgrade(req: IncomingMessage): UpgradeRequest {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const offered = req.headers['sec-websocket-protocol'];
  const socket = req.socket as IncomingMessage['socket'] & { encrypted?: boolean };
  return {
    url,
    path: pathOf(url),
    query: new URLSearchParams(query === -1 ? '' : url.slice(query + 1)),
    headers: req.headers,
    origin: typeof req.headers.origin === 'string' ? req.headers.origin : undefined,
    remoteAddress: req.socket.remoteAddress,
    protocols: offered === undefined ? [] : applicationProtocols(offered.split(',').map((name) => name.trim()).filter((name) => name !== '')),
    secure: socket.encrypted === true,
    request: req,
  };
}

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { writeRefusal } from './refusal.js';
import { pathOf } from './upgrade-request.js';

/** Handles the upgrade requests routed to one corows server. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** One `upgrade` listener per HTTP server, shared by the corows servers on it, routing by path. */
class UpgradeRouter {
  private readonly routes = new Map<string | undefined, UpgradeHandler>();
  private readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.route(req, socket, head);

  constructor(private readonly http: Server) {
    http.on('upgrade', this.listener);
  }

  add(path: string | undefined, handler: UpgradeHandler): void {
    if (this.routes.has(path)) {
      throw new Error(path === undefined
        ? 'a corows server already serves every path of this HTTP server; give each server its own path option'
        : `a corows server already serves path ${JSON.stringify(path)} on this HTTP server; give each server its own path`);
    }
    this.routes.set(path, handler);
  }

  /** Removes a route; returns whether any route is left. */
  remove(path: string | undefined): boolean {
    this.routes.delete(path);
    if (this.routes.size > 0) return true;
    this.http.off('upgrade', this.listener);
    return false;
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(req.url);
    const handler = this.routes.get(path) ?? this.routes.get(undefined);
    if (handler !== undefined) {
      handler(req, socket, head);
      return;
    }
    // Another library on this HTTP server may serve this path; if we are alone, nobody will.
    if (this.http.listenerCount('upgrade') > 1) return;
    writeRefusal(socket, 404, `no WebSocket endpoint at ${path}`);
  }
}

const routers = new WeakMap<Server, UpgradeRouter>();

/**
 * Routes `http`'s upgrade requests for `path` (every path when `undefined`, as a fallback after the
 * exact paths) to `handler`; returns the function that removes the route. Throws if the path is taken.
 */
export function routeUpgrades(http: Server, path: string | undefined, handler: UpgradeHandler): () => void {
  let router = routers.get(http);
  if (router === undefined) routers.set(http, (router = new UpgradeRouter(http)));
  router.add(path, handler);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    if (!(router as UpgradeRouter).remove(path)) routers.delete(http);
  };
}

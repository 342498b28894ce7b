import type { Socket } from 'node:net';
import type { Refusal, UpgradeRequest } from '@corows/node-server';

/** Longest a cut link may be held down, in milliseconds. */
export const MAX_HOLD = 60_000;

/**
 * Finds the TCP socket under a session's link, so that the demo can cut it the way a network would:
 * no close frame (which would end the session), just a reset. Every link of a session carries the
 * session's routing id in its URL (`?corows_session=…`, PROTOCOL.md §5.1), and `verify` sees every
 * link, resumes included: that is where the sockets are recorded, and where a held session's new links
 * are refused (503, which a client retries).
 */
export interface LinkCutter {
  /** The server's `verify` hook: records the link's socket under its routing id; refuses it while the session is held. */
  track(request: UpgradeRequest): true | Refusal;
  /**
   * Resets every TCP connection open under the routing id `session`, and refuses the session's new
   * links for `hold` milliseconds (0: none; at most {@link MAX_HOLD}). Returns how many it cut.
   */
  cut(session: string, hold?: number): number;
  /** Ends a hold early: the session's next link is accepted. Returns whether it was held. */
  release(session: string): boolean;
}

/** Makes a {@link LinkCutter}; sockets leave it when they close, holds when they end. */
export function createLinkCutter(): LinkCutter {
  const links = new Map<string, Set<Socket>>();
  const holds = new Map<string, NodeJS.Timeout>();
  const release = (session: string): boolean => {
    clearTimeout(holds.get(session));
    return holds.delete(session);
  };
  return {
    track(request) {
      const id = request.query.get('corows_session');
      if (id === null) return true;
      if (holds.has(id)) return { status: 503, reason: 'this session is held down by POST /cut', headers: { 'Retry-After': '1' } };
      const socket = request.request.socket;
      const open = links.get(id) ?? new Set<Socket>();
      links.set(id, open.add(socket));
      socket.once('close', () => {
        open.delete(socket);
        if (open.size === 0 && links.get(id) === open) links.delete(id);
      });
      return true;
    },
    cut(session, hold = 0) {
      const open = [...(links.get(session) ?? [])];
      if (open.length > 0 && hold > 0) {
        release(session);
        holds.set(session, setTimeout(() => holds.delete(session), Math.min(hold, MAX_HOLD)).unref());
      }
      for (const socket of open) socket.resetAndDestroy();
      return open.length;
    },
    release,
  };
}

import { CorowsError } from '@corows/core';
import type { AdapterHost, BroadcastPacket, ServerAdapter } from './adapter.js';

/**
 * Links several servers of one process into one application: give each server an
 * {@link InProcessAdapter} on the same hub, and a broadcast or room message on any of them reaches the
 * matching connections of all. Useful to serve several ports as one, and as the reference behaviour of
 * a cross-process adapter.
 */
export class InProcessHub {
  /** The servers on this hub (their adapter hosts). */
  readonly nodes = new Set<AdapterHost>();
}

/**
 * The default {@link ServerAdapter}: every server has one, on its own (one node, the local fast path:
 * a broadcast is framed once and written straight to the connections), or on a shared
 * {@link InProcessHub} (each node frames it once and writes it to its connections).
 *
 * @example
 * ```ts
 * const hub = new InProcessHub();
 * const a = createWebsocketServer('127.0.0.1', 8001, { adapter: new InProcessAdapter(hub) });
 * const b = createWebsocketServer('127.0.0.1', 8002, { adapter: new InProcessAdapter(hub) });
 * a.to('lobby').sendMessage('hi'); // reaches the lobby on both ports
 * ```
 */
export class InProcessAdapter implements ServerAdapter {
  private host: AdapterHost | undefined;

  /** @param hub the hub shared with other servers of this process. @default a hub of its own */
  constructor(private readonly hub: InProcessHub = new InProcessHub()) {}

  start(host: AdapterHost): void {
    if (this.host !== undefined) {
      throw new CorowsError('this InProcessAdapter already serves a server; give each server its own adapter (they may share an InProcessHub)', { code: 'ERR_ADAPTER_IN_USE' });
    }
    this.host = host;
    this.hub.nodes.add(host);
  }

  broadcast(packet: BroadcastPacket): void {
    for (const node of this.hub.nodes) node.deliver(packet);
  }

  joined(): void {}

  left(): void {}

  disconnected(): void {}

  members(room: string): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    for (const node of this.hub.nodes) for (const id of node.localMembers(room)) ids.add(id);
    return Promise.resolve(ids);
  }

  close(): void {
    if (this.host !== undefined) this.hub.nodes.delete(this.host);
  }
}

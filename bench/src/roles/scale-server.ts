// A server process of `pnpm bench:scale`: one node of a stack on a shared Redis, answering the orchestrator.
import { startScaleNode, type ScaleNode, type Stack } from '../libs/scale-nodes.js';
import { measureMemory } from '../memory.js';

let node: ScaleNode | undefined;

function running(): ScaleNode {
  if (node === undefined) throw new Error('listen first');
  return node;
}

export const commands = {
  async listen({ stack, redisUrl }: { stack: Stack; redisUrl: string }) {
    node = await startScaleNode(stack, redisUrl);
    return { port: node.port };
  },

  connections: () => running().connectionCount(),

  memory: () => measureMemory(),

  /** CPU time this process has used so far, user and system, in microseconds. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  broadcast: ({ text }: { text: string }) => running().broadcast(text),

  toRoom: ({ text }: { text: string }) => running().toRoom(text),
};

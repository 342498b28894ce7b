// The entry point of every child process: `peer.ts <role>` answers the orchestrator's requests with
// the commands of roles/<role>.ts, and exits when the orchestrator goes away.
import type { Commands, Reply, Request } from './ipc.js';

const role = process.argv[2] ?? '';
if (!/^[a-z-]+$/.test(role) || process.send === undefined) {
  console.error('usage: forked by the bench orchestrator as peer.ts <role>');
  process.exit(2);
}
const { commands } = (await import(`./roles/${role}.js`)) as { commands: Commands };

process.on('disconnect', () => process.exit(0));
process.on('message', (request: Request) => {
  void answer(request).then((reply) => process.send?.(reply));
});
process.send({ id: 0, ok: true, value: 'ready' } satisfies Reply);

async function answer({ id, cmd, args }: Request): Promise<Reply> {
  const command = commands[cmd];
  if (command === undefined) return { id, ok: false, error: `role ${role} has no command ${cmd}` };
  try {
    return { id, ok: true, value: await (command as (args: unknown) => unknown)(args) };
  } catch (err) {
    return { id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

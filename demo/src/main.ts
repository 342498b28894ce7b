/**
 * Starts the chat demo and prints the address to open; runs until Ctrl-C.
 * `DEMO_PORT` (default 8080; 0 for any free port), `DEMO_WS_PORT` (default: any free port) and
 * `DEMO_HOST` (default 127.0.0.1; 0.0.0.0 to let other machines in) choose where it listens.
 */
import { startDemo } from './demo.js';

function portFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

const demo = await startDemo({
  host: process.env.DEMO_HOST,
  port: portFrom('DEMO_PORT'),
  wsPort: portFrom('DEMO_WS_PORT'),
  log: (line) => console.log(`  ${line}`),
}).catch((err: Error) => {
  console.error(`corows demo: ${err.message}`);
  process.exit(1);
});

console.log(`corows chat demo: open ${demo.url} in a browser (WebSocket ${demo.wsUrl}; Ctrl-C to stop)`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('corows chat demo: stopping');
    void demo.close().then(() => process.exit(0));
  });
}

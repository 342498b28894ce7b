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

const options = {
  host: process.env.DEMO_HOST,
  port: portFrom('DEMO_PORT'),
  wsPort: portFrom('DEMO_WS_PORT'),
  log: (line: string) => console.log(`  ${line}`),
};
const demo = await startDemo(options)
  .catch((err: Error) => {
    // The default port is taken and no port was asked for: any free port will do.
    if (options.port !== undefined || (err.cause as { code?: string } | undefined)?.code !== 'EADDRINUSE') throw err;
    console.log('corows chat demo: port 8080 is taken, using a free port');
    return startDemo({ ...options, port: 0 });
  })
  .catch((err: Error) => {
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

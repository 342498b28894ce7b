import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** The folder of the built browser bundle (`pnpm build` makes it). */
export const bundleDir = dirname(fileURLToPath(import.meta.resolve('@corows/browser')));
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/**
 * The demo's web server: the page (demo/public), the bundle at `/corows.js`, and `/config.json`,
 * which tells the page the WebSocket port.
 */
export function createSite(wsPort: () => number): Server {
  const page = sirv(publicDir, { dev: true });
  const bundle = sirv(bundleDir, { dev: true });
  return createServer((req, res) => {
    if (req.url === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ wsPort: wsPort() }));
      return;
    }
    page(req, res, () =>
      bundle(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${req.url ?? ''}\n`);
      }),
    );
  });
}

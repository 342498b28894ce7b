import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import type { ConnRecords } from './routes.js';

/** The folder of the built browser bundle (`corows.js`, `corows.min.js`, `corows.d.ts`). */
export const bundleDir = dirname(fileURLToPath(import.meta.resolve('@corows/browser')));
const pagesDir = fileURLToPath(new URL('../pages', import.meta.url));

/**
 * The HTTP side of the e2e suite: the test pages (e2e/pages), the built bundle at `/corows.js`, and
 * `GET /api/conn/<id>`, what the WebSocket server recorded of a connection (404 until it connected).
 */
export function createSite(records: ConnRecords): Server {
  const pages = sirv(pagesDir, { dev: true });
  const bundle = sirv(bundleDir, { dev: true });
  return createServer((req, res) => {
    const api = /^\/api\/conn\/([\w-]+)$/.exec(req.url ?? '');
    if (api !== null) {
      const entry = records.get(api[1] as string);
      res.writeHead(entry === undefined ? 404 : 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(entry ?? null));
      return;
    }
    pages(req, res, () =>
      bundle(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${req.url ?? ''}\n`);
      }),
    );
  });
}

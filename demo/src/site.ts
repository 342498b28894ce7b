import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { MAX_HOLD, type LinkCutter } from './link-cutter.js';

/** The folder of the built browser bundle (`pnpm build` makes it). */
export const bundleDir = dirname(fileURLToPath(import.meta.resolve('@corows/browser')));
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/**
 * The demo's web server: the page (demo/public), the bundle at `/corows.js`, `/config.json`, which
 * tells the page the WebSocket port, and the link cutter's two doors: `POST /cut?session=ID[&hold=MS]`
 * resets the TCP connection under that session's link (no close frame: the session lives on and
 * resumes), keeping it down for `hold` milliseconds; `POST /release?session=ID` lets it back early.
 */
export function createSite(wsPort: () => number, cutter: LinkCutter): Server {
  const page = sirv(publicDir, { dev: true });
  const bundle = sirv(bundleDir, { dev: true });
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ wsPort: wsPort() }));
      return;
    }
    if (path === '/cut' || path === '/release') {
      answerCutter(req, res, cutter);
      return;
    }
    page(req, res, () =>
      bundle(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${req.url ?? ''}\n`);
      }),
    );
  });
}

function answerCutter(req: IncomingMessage, res: ServerResponse, cutter: LinkCutter): void {
  const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', ...headers }).end(`${body}\n`);
  };
  const url = new URL(req.url ?? '/', 'http://demo');
  if (req.method !== 'POST') return text(405, `use POST ${url.pathname}?session=ID`, { Allow: 'POST' });
  const session = url.searchParams.get('session');
  if (session === null || session === '') return text(400, 'missing ?session=ID: the session id the page shows (the corows_session of its links)');
  if (url.pathname === '/release') {
    return cutter.release(session) ? text(200, `session ${session} released`) : text(404, `session ${session} is not held`);
  }
  const hold = Number(url.searchParams.get('hold') ?? '0');
  if (!Number.isInteger(hold) || hold < 0 || hold > MAX_HOLD) return text(400, `hold must be a whole number of milliseconds from 0 to ${MAX_HOLD}`);
  const count = cutter.cut(session, hold);
  if (count === 0) return text(404, `no open link for session ${session}`);
  text(200, `cut ${count} link${count === 1 ? '' : 's'} of session ${session}${hold > 0 ? `, held down for ${hold} ms` : ''}`);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * The functions that took the most CPU (self time) in each child's profile under `dir` (one folder
 * per child; its busiest thread's profile), and the share of each code base (corows, ws, Node, …), as
 * text: where to look before optimizing anything.
 */
export function summarizeProfiles(dir: string, top = 15): string {
  const out: string[] = [];
  for (const child of readdirSync(dir).sort((a, b) => parseInt(a, 10) - parseInt(b, 10))) {
    const profiles = readdirSync(join(dir, child))
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => (JSON.parse(readFileSync(join(dir, child, name), 'utf8')) as { nodes: ProfileNode[] }).nodes);
    const busy = (nodes: ProfileNode[]): number => nodes.reduce((sum, node) => sum + (node.callFrame.functionName === '(idle)' ? 0 : (node.hitCount ?? 0)), 0);
    const nodes = profiles.sort((a, b) => busy(b) - busy(a))[0];
    if (nodes === undefined) continue;
    const file = child;
    const total = nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    const byFunction = new Map<string, number>();
    const byArea = new Map<string, number>();
    for (const { callFrame, hitCount = 0 } of nodes) {
      const where = shortUrl(callFrame.url);
      const key = `${callFrame.functionName || '(anonymous)'} ${where}${where === '' ? '' : `:${callFrame.lineNumber + 1}`}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + hitCount);
      byArea.set(area(callFrame), (byArea.get(area(callFrame)) ?? 0) + hitCount);
    }
    const percent = (hits: number): string => `${((100 * hits) / Math.max(1, total)).toFixed(1).padStart(5)}%`;
    out.push(`\n${file} (${total} samples)`);
    out.push(`  by area: ${[...byArea].sort((a, b) => b[1] - a[1]).map(([name, hits]) => `${name} ${percent(hits).trim()}`).join(', ')}`);
    for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${percent(hits)}  ${key}`);
  }
  return out.join('\n');
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg !== null) return `${pkg[1]}/${pkg[2]}`;
  const own = /\/(packages\/[^/]+\/.*|bench\/.*)$/.exec(url);
  return own?.[1] ?? url.replace(/^node:/, 'node:');
}

function area({ url, functionName }: ProfileNode['callFrame']): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) return 'node';
  if (/packages\/core\/|packages\/node-server\/|@corows\//.test(url)) return 'corows';
  if (url.includes('/bench/src/')) return 'bench harness';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return pkg?.[1] ?? 'other';
}

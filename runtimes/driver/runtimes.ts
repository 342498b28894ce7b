// Where each runtime of the suite comes from, and the command that runs a peer script on it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runtimes a corows end runs on as a child process. */
export type ProcessRuntime = 'node' | 'bun' | 'deno';
/** Runtimes a server of a pairing runs on. */
export type ServerRuntime = ProcessRuntime | 'python';
/** Runtimes a client of a pairing runs on. */
export type ClientRuntime = ProcessRuntime | 'chromium' | 'python';

export const PROCESS_RUNTIMES: readonly ProcessRuntime[] = ['node', 'bun', 'deno'];

/** The folder of the runtimes package: peers run from here, so that they resolve its dependencies. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** A binary that an npm package's postinstall put in place; a clear error if it is not there. */
function installedBinary(pkg: string, ...candidates: string[]): string {
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`the npm package ${pkg} is not installed: run \`pnpm install\` at the root (it is a root devDependency)`);
  }
  const found = candidates.map((candidate) => join(dir, candidate)).find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(`${pkg}'s binary is missing in ${dir}: its postinstall must run (pnpm-workspace.yaml onlyBuiltDependencies lists ${pkg}); run \`pnpm install\` again`);
  }
  return found;
}

/**
 * The command that runs the peer script `script` (relative to the package) with `args` on `runtime`.
 * Bun and Deno run the TypeScript as it is; Node through tsx. All three load the built packages
 * (`dist/`, the `default` export condition), as an application installed from npm would.
 */
export function peerCommand(runtime: ProcessRuntime, script: string, args: string[]): [string, string[]] {
  switch (runtime) {
    case 'node':
      return [process.execPath, ['--import', 'tsx', script, ...args]];
    case 'bun':
      return [installedBinary('bun', 'bin/bun.exe', 'bin/bun'), ['--no-install', script, ...args]];
    case 'deno':
      // node_modules as pnpm laid it out (`manual`: Deno installs nothing); no lock file; loopback only.
      return [
        installedBinary('deno', 'deno', 'deno.exe'),
        ['run', '--no-lock', '--node-modules-dir=manual', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', script, ...args],
      ];
  }
}

/** A python3 with the `websockets` library (Debian's python3-websockets), or why there is none. */
export function findPython(): { path: string } | { missing: string } {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import websockets'], { stdio: 'ignore' });
      return { path: candidate };
    } catch {
      // try the next one
    }
  }
  return { missing: 'no python3 with the websockets library: install Debian\'s python3-websockets (scripts/ensure-tools.sh does)' };
}

/** Fails with what to do unless the packages the peers load have been built. */
export function assertBuilt(): void {
  for (const pkg of ['@corows/core', '@corows/node-server', '@corows/browser']) {
    const entry = fileURLToPath(import.meta.resolve(pkg));
    if (!existsSync(entry)) throw new Error(`${pkg} is not built (${entry} is missing): run \`pnpm build\` first; the suite runs the built packages`);
  }
}

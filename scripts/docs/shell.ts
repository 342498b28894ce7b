/**
 * Checks the commands of README shell blocks that name this project's own things: `npm`/`pnpm`
 * scripts must exist, `npm install`/`npx` must name workspace packages, `corows` command lines must
 * parse (unknown flags fail).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';
import { parseCommand } from '../../packages/cli/src/main.js';
import type { CodeBlock } from './blocks.js';

interface Manifest {
  name?: string;
  scripts?: Record<string, string>;
}

/** The workspace's package.json files by package name, and the root's. */
function manifests(root: string): { rootManifest: Manifest; byName: Map<string, Manifest> } {
  const read = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  const byName = new Map<string, Manifest>();
  const folders = [...readdirSync(join(root, 'packages')).map((name) => join('packages', name)), 'examples', 'demo', 'e2e', 'bench'];
  for (const folder of folders) {
    try {
      const manifest = read(join(root, folder, 'package.json'));
      if (manifest.name !== undefined) byName.set(manifest.name, manifest);
    } catch {
      // a folder without a package.json is not a package
    }
  }
  return { rootManifest: read(join(root, 'package.json')), byName };
}

/** The commands of a shell block, as word lists (continuations joined; comments, redirections and operators dropped). */
export function shellCommands(code: string): string[][] {
  const commands: string[][] = [];
  for (const line of code.replace(/\\\n/g, ' ').split('\n')) {
    let words: string[] = [];
    let redirected = false;
    for (const entry of parse(line, (name) => `$${name}`) as ParseEntry[]) {
      if (typeof entry === 'string') {
        if (!redirected) words.push(entry);
        redirected = false;
        continue;
      }
      if ('comment' in entry) break;
      if (!('op' in entry) || entry.op === 'glob') continue;
      if (/^[<>]/.test(entry.op) || entry.op === '&>') {
        redirected = true; // the next word is a file
        continue;
      }
      if (words.length > 0) commands.push(words);
      words = [];
    }
    if (words.length > 0) commands.push(words);
  }
  return commands;
}

/** Checks every shell block; returns the problems, each naming its README line. */
export function checkShellBlocks(root: string, blocks: CodeBlock[]): string[] {
  const { rootManifest, byName } = manifests(root);
  const problems: string[] = [];
  const packageName = (spec: string): string => spec.replace(/^(@?[^@]+)@.*$/, '$1');

  for (const block of blocks) {
    for (const words of shellCommands(block.code)) {
      const [command, ...args] = words.filter((word, i) => i > 0 || !/^\w+=/.test(word));
      const say = (problem: string): void => void problems.push(`${block.where}: \`${words.join(' ')}\`: ${problem}`);
      if (command === 'npm') {
        const [verb = '', ...rest] = args;
        if ((verb === 'start' || verb === 'test') && !hasScriptIn(rootManifest, verb)) say(`package.json has no "${verb}" script`);
        if (verb === 'run' && !hasScriptIn(rootManifest, rest[0] ?? '')) say(`package.json has no "${rest[0]}" script`);
        if (verb === 'install' || verb === 'i') {
          for (const spec of rest.filter((word) => word.startsWith('@corows/'))) {
            if (!byName.has(packageName(spec))) say(`there is no package ${packageName(spec)} in this workspace`);
          }
        }
      } else if (command === 'npx' && (args[0] ?? '').startsWith('@corows/')) {
        const name = packageName(args[0] ?? '');
        if (!byName.has(name)) say(`there is no package ${name} in this workspace`);
        else if (name === '@corows/cli') checkCorowsLine(args.slice(1), say);
      } else if (command === 'corows') {
        checkCorowsLine(args, say);
      } else if (command === 'pnpm') {
        checkPnpmLine(args, rootManifest, byName, say);
      }
    }
  }
  return problems;
}

const PNPM_COMMANDS = new Set(['install', 'i', 'add', 'exec', 'dlx', 'dedupe', 'update', 'why', 'list', 'pack', 'publish', 'store']);

function checkPnpmLine(args: string[], rootManifest: Manifest, byName: Map<string, Manifest>, say: (problem: string) => void): void {
  let target: Manifest | undefined = rootManifest;
  let targetName = 'package.json';
  const rest = [...args];
  while (rest[0]?.startsWith('-')) {
    const flag = rest.shift();
    if (flag === '--filter' || flag === '-F') {
      const name = rest.shift() ?? '';
      target = byName.get(name);
      targetName = `${name}'s package.json`;
      if (target === undefined) return say(`there is no package ${name} in this workspace`);
    }
  }
  const [verb = '', script = ''] = rest;
  if (verb === '' || PNPM_COMMANDS.has(verb)) return;
  const name = verb === 'run' ? script : verb;
  if (!hasScriptIn(target, name)) say(`${targetName} has no "${name}" script`);
}

function hasScriptIn(manifest: Manifest | undefined, script: string): boolean {
  return manifest?.scripts?.[script] !== undefined;
}

/** A `corows` command line parses: its command and flags are known, their values valid. */
function checkCorowsLine(args: string[], say: (problem: string) => void): void {
  try {
    parseCommand(args);
  } catch (err) {
    say(`corows refuses it: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Checks unpacked tarballs (their `package/` folders) for what publint and attw do not look at: the
 * files a stranger expects (LICENSE, the same MIT text as the repository's; README.md), no `source`
 * export condition (it points at TypeScript files a consumer cannot run), no `workspace:` range left
 * unresolved and internal ranges `^`, no install script, and the metadata fields npm shows.
 * Run: node --import tsx scripts/check-tarball.ts <unpacked package dir>...
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new TypeError('usage: check-tarball.ts <unpacked package dir>...');

let failed = false;
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const problems = check(dir, pkg);
  if (problems.length > 0) {
    failed = true;
    console.error(`${String(pkg.name)}:\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`${String(pkg.name)}: LICENSE, README, metadata, ranges and conditions as published: ok`);
  }
}
if (failed) process.exit(1);

/** What is wrong with the unpacked package in `dir` whose manifest is `pkg`. */
function check(dir: string, pkg: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const file of ['LICENSE', 'README.md']) {
    if (!existsSync(join(dir, file))) problems.push(`${file} is missing`);
  }
  if (existsSync(join(dir, 'LICENSE')) && readFileSync(join(dir, 'LICENSE'), 'utf8') !== readFileSync(join(root, 'LICENSE'), 'utf8')) {
    problems.push("LICENSE differs from the repository's LICENSE");
  }
  for (const [key, where] of [...conditions(pkg.exports, 'exports'), ...conditions(pkg.imports, 'imports')]) {
    if (key === 'source') problems.push(`${where}: the development-only "source" condition was published`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries((pkg[field] ?? {}) as Record<string, string>)) {
      if (range.startsWith('workspace:')) problems.push(`${field}.${name} is "${range}", unresolved`);
      else if (name.startsWith('@corows/') && !range.startsWith('^')) {
        problems.push(`${field}.${name} is "${range}": internal ranges are ^, so that one copy of core serves every package`);
      }
    }
  }
  const scripts = (pkg.scripts ?? {}) as Record<string, string>;
  for (const script of ['preinstall', 'install', 'postinstall']) {
    if (scripts[script] !== undefined) problems.push(`scripts.${script} would run on the consumer's machine`);
  }
  if (typeof (pkg.engines as Record<string, string> | undefined)?.node !== 'string') problems.push('engines.node is missing');
  for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'author']) {
    if (pkg[field] === undefined) problems.push(`${field} is missing`);
  }
  return problems;
}

/** Every key under an `exports` or `imports` map, with the path where it sits. */
function conditions(value: unknown, path: string): [key: string, where: string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const where = `${path}[${JSON.stringify(key)}]`;
    return [[key, where] as [string, string], ...conditions(inner, where)];
  });
}

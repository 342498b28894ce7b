/**
 * Checks every code block of README.md and packages/NAME/README.md, so that what a reader copies works:
 *   ```ts (or js)          typechecked, strict, each block its own module, against the workspace packages
 *   ```ts run              …and run with node; it must exit 0 (fixed ports such as 1042 become free ones)
 *   ```ts run echo-server  …with an echo server at the address it names
 *   ```ts run redis        …with a throwaway redis-server, its URL in REDIS_URL
 *   ```text output         right after a run block: what it must print, exactly
 *   ```html                its <script type="module"> typechecked (imports of the browser build → core)
 *   ```sh                  npm/pnpm scripts must exist, @corows/* packages too, corows command lines parse
 *   ```json                must parse
 *   ```text in the README's Troubleshooting section: each one a message the code really produces
 *                          (scripts/docs/troubleshooting.ts makes them), and each such message quoted
 * Any other language fails, so that a new kind of block gets a check before it lands.
 * Run: pnpm check:docs
 */
import { join } from 'node:path';
import { codeBlocks, readmeFiles, type CodeBlock } from './docs/blocks.js';
import { runSnippet, type RunNeeds } from './docs/run.js';
import { checkShellBlocks } from './docs/shell.js';
import { produceSymptoms } from './docs/troubleshooting.js';
import { typecheck, writeSnippets } from './docs/typecheck.js';

const root = join(import.meta.dirname, '..');
const TYPESCRIPT = new Set(['ts', 'typescript', 'js', 'javascript']);
const SHELL = new Set(['sh', 'bash', 'shell']);
const TEXT = new Set(['text', '']);
const RUN_FLAGS: Record<string, RunNeeds> = { run: 'alone', 'run echo-server': 'echo-server', 'run redis': 'redis' };
const TROUBLESHOOTING = 'Troubleshooting';

const files = readmeFiles(root);
const blocks = files.flatMap((file) => codeBlocks(root, file));
const problems: string[] = [];

// What each block is, and whether its markers are known.
for (const block of blocks) {
  const flags = block.flags.join(' ');
  const known =
    (TYPESCRIPT.has(block.lang) && (flags === '' || flags in RUN_FLAGS)) ||
    (TEXT.has(block.lang) && (flags === '' || flags === 'output')) ||
    ((SHELL.has(block.lang) || block.lang === 'html' || block.lang === 'json') && flags === '');
  if (!known) problems.push(`${block.where}: a \`\`\`${[block.lang, ...block.flags].join(' ')} block: no check knows it (see the top of scripts/check-readme-snippets.ts)`);
}

// TypeScript, and the module scripts of HTML blocks.
const modules = blocks.flatMap((block) => {
  if (TYPESCRIPT.has(block.lang)) return [{ block, code: block.code, firstLine: block.line + 1 }];
  if (block.lang !== 'html') return [];
  return [...block.code.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((match) => ({
    block,
    code: match[1] ?? '',
    firstLine: block.line + block.code.slice(0, match.index).split('\n').length,
  }));
});
const written = writeSnippets(root, modules);
problems.push(...typecheck(root, written));

// Runnable blocks, and the output they must print.
let ran = 0;
for (const snippet of written) {
  const needs = RUN_FLAGS[snippet.block.flags.join(' ')];
  if (needs === undefined) continue;
  const outcome = await runSnippet(root, snippet, needs);
  ran += 1;
  if (outcome.failure !== undefined) {
    problems.push(`${snippet.block.where}: the snippet failed: ${outcome.failure}`);
    continue;
  }
  const expected = outputBlockAfter(snippet.block);
  if (expected !== undefined && outcome.stdout.trimEnd() !== expected.code.trimEnd()) {
    problems.push(`${expected.where}: the snippet above printed\n${outcome.stdout.trimEnd()}\ninstead of\n${expected.code.trimEnd()}`);
  }
}
for (const block of blocks.filter((b) => b.lang === 'text' && b.flags.join(' ') === 'output')) {
  const before = blocks[blocks.indexOf(block) - 1];
  if (before === undefined || before.file !== block.file || !(before.flags.join(' ') in RUN_FLAGS)) {
    problems.push(`${block.where}: a \`\`\`text output block must come right after a \`\`\`ts run block`);
  }
}

// Shell commands and JSON.
problems.push(...checkShellBlocks(root, blocks.filter((b) => SHELL.has(b.lang))));
for (const block of blocks.filter((b) => b.lang === 'json')) {
  try {
    JSON.parse(block.code);
  } catch (err) {
    problems.push(`${block.where}: not JSON: ${(err as Error).message}`);
  }
}

// The Troubleshooting section quotes exactly the messages the code produces.
const quoted = blocks.filter((b) => b.file === 'README.md' && b.section === TROUBLESHOOTING && b.lang === 'text' && b.flags.length === 0);
const { symptoms, skipped } = await produceSymptoms();
for (const symptom of symptoms) {
  if (!quoted.some((block) => block.code.trim() === symptom.text)) {
    problems.push(`README.md, ${TROUBLESHOOTING}: no block quotes what "${symptom.scenario}" produces today:\n${symptom.text}`);
  }
}
for (const block of quoted) {
  if (!symptoms.some((symptom) => symptom.text === block.code.trim()) && skipped.length === 0) {
    problems.push(`${block.where}: no scenario of scripts/docs/troubleshooting.ts produces this message:\n${block.code.trim()}`);
  }
}

function outputBlockAfter(block: CodeBlock): CodeBlock | undefined {
  const next = blocks[blocks.indexOf(block) + 1];
  return next !== undefined && next.file === block.file && next.lang === 'text' && next.flags.join(' ') === 'output' ? next : undefined;
}

if (problems.length > 0) {
  console.error(`README code blocks that do not work as written (${problems.length}):\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
const shellCount = blocks.filter((b) => SHELL.has(b.lang)).length;
console.log(
  `README code blocks of ${files.length} files: ${written.length} modules typechecked, ${ran} run, ${shellCount} shell blocks checked, ` +
    `${symptoms.length} troubleshooting messages produced and found${skipped.length > 0 ? ` (not produced here: ${skipped.join(', ')})` : ''}.`,
);

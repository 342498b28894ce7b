import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('.', import.meta.url));
/** Inside bench/, so that the compiled files find bench/node_modules as the sources do. */
const OUT = fileURLToPath(new URL('../.cache/children/', import.meta.url));

/**
 * Compiles bench/src to JavaScript (each file on its own, types dropped, as tsx does) into
 * bench/.cache/children/, once per run, and returns that folder: children start from it on plain
 * Node. Loading tsx costs each child about a second of CPU, which 26 children starting at once on a
 * 2-core machine turn into a minute.
 */
export function compileBench(): string {
  rmSync(OUT, { recursive: true, force: true });
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(path.join(SRC, file), 'utf8'), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    });
    const out = path.join(OUT, file.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  return OUT;
}

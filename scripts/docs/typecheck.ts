/**
 * Typechecks README snippets as users would compile them: each one its own ES module, strict, against
 * the workspace packages (their sources, through the `source` condition, so nothing needs building).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import type { CodeBlock } from './blocks.js';

/** A snippet written to disk as a module. */
export interface SnippetFile {
  block: CodeBlock;
  /** The absolute path of the `.ts` file. */
  path: string;
  /** The README line of the file's first line. */
  firstLine: number;
}

/** Where the snippets are written (git-ignored); under the repository, so `@corows/*` resolve. */
export function snippetDir(root: string): string {
  return join(root, '.cache', 'readme-snippets');
}

/**
 * What an import of the browser build resolves to when checked: `@corows/browser`, a CDN URL of it,
 * or the demo's `/corows.js` are core's API (the bundle is core, built for browsers).
 */
const BROWSER_IMPORT = /(['"])(?:@corows\/browser(?:\/[\w./-]*)?|https:\/\/[^'"]*@corows\/browser[^'"]*|\/corows(?:\.min)?\.js)\1/g;

/** Writes each block as a module; `code` is its TypeScript (for HTML, the module script's). */
export function writeSnippets(root: string, snippets: Array<{ block: CodeBlock; code: string; firstLine: number }>): SnippetFile[] {
  const dir = snippetDir(root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return snippets.map(({ block, code, firstLine }) => {
    const path = join(dir, `${block.file.replace(/[^\w]+/g, '_')}_L${block.line}.ts`);
    writeFileSync(path, code.replace(BROWSER_IMPORT, '$1@corows/core$1'));
    return { block, path, firstLine };
  });
}

/** Typechecks every file in one program; returns the errors, each naming its README line. */
export function typecheck(root: string, files: SnippetFile[]): string[] {
  const base = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.base.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (base === undefined) throw new Error('cannot read tsconfig.base.json');
  const options: ts.CompilerOptions = {
    ...base.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    types: ['node'],
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  const program = ts.createProgram(files.map((f) => f.path), options);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const errors: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    const snippet = diagnostic.file === undefined ? undefined : byPath.get(diagnostic.file.fileName);
    if (diagnostic.file === undefined || snippet === undefined) {
      const where = diagnostic.file === undefined ? '' : `${relative(root, diagnostic.file.fileName)}: `;
      errors.push(`${where}${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    errors.push(`${snippet.block.file}:${snippet.firstLine + line}: TS${diagnostic.code}: ${message}`);
  }
  return errors;
}

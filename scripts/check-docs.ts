/**
 * Fails if any public export of a package (what its src/index.ts exports) has no TSDoc comment.
 * Run: node --import tsx scripts/check-docs.ts
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const entries = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name, 'src', 'index.ts'))
  .filter((file) => existsSync(file));

const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
});
if (config === undefined) throw new Error('cannot read tsconfig.json');
const program = ts.createProgram(entries, config.options);
const checker = program.getTypeChecker();

const missing: string[] = [];
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`cannot read ${entry}`);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.getDocumentationComment(checker).length === 0) {
      missing.push(`${relative(root, entry)}: ${exported.getName()}`);
    }
  }
}

if (missing.length > 0) {
  console.error(`Public exports without TSDoc:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`TSDoc present on every public export of ${entries.length} packages.`);

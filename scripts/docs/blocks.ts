/**
 * The fenced code blocks of the READMEs, as marked's lexer reads them (so nested blocks, in lists or
 * quotes, count too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The file, relative to the repository root. */
  file: string;
  /** The line of its opening fence (1-based). */
  line: number;
  /** The language: the first word of the info string (`ts` in ```` ```ts run ````), `''` if none. */
  lang: string;
  /** The other words of the info string (`['run']`). */
  flags: string[];
  /** Its text, without the fences. */
  code: string;
  /** The title of the `##` section it is in (`''` before the first). */
  section: string;
  /** Where to point a reader: `README.md:42`. */
  where: string;
}

/** README.md and every packages/NAME/README.md, relative to `root`. */
export function readmeFiles(root: string): string[] {
  const packages = readdirSync(join(root, 'packages'))
    .map((name) => join('packages', name, 'README.md'))
    .filter((file) => existsSync(join(root, file)))
    .sort();
  return ['README.md', ...packages];
}

/** Every fenced code block of `file` (relative to `root`), in order. */
export function codeBlocks(root: string, file: string): CodeBlock[] {
  const source = readFileSync(join(root, file), 'utf8');
  const blocks: CodeBlock[] = [];
  let offset = 0;
  let section = '';
  const lineAt = (index: number): number => source.slice(0, index).split('\n').length;

  const visit = (token: Token, start: number): void => {
    if (token.type === 'code' && (token as Tokens.Code).codeBlockStyle !== 'indented') {
      const code = token as Tokens.Code;
      const [lang = '', ...flags] = (code.lang ?? '').trim().split(/\s+/).filter(Boolean);
      // A nested block's raw text is de-indented: find its fence from where its parent starts.
      const fence = source.indexOf(code.raw.split('\n')[0] ?? '', start);
      const line = lineAt(fence < 0 ? start : fence);
      blocks.push({ file, line, lang, flags, code: code.text, section, where: `${file}:${line}` });
      return;
    }
    for (const child of childTokens(token)) visit(child, start);
  };

  for (const token of new Lexer().lex(source)) {
    if (token.type === 'heading' && (token as Tokens.Heading).depth <= 2) section = (token as Tokens.Heading).text;
    visit(token, offset);
    offset += token.raw.length;
  }
  return blocks;
}

function childTokens(token: Token): Token[] {
  if (token.type === 'list') return (token as Tokens.List).items;
  return 'tokens' in token && Array.isArray(token.tokens) ? token.tokens : [];
}

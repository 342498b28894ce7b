// @ts-check
/**
 * The browser build of corows, from core's compiled JavaScript (packages/core/dist: `pnpm build` runs
 * in dependency order, so core is built first), as an ES module with eventemitter3 inlined:
 *   dist/corows.js      readable, for <script type="module"> and for bundlers
 *   dist/corows.min.js  minified (its gzip size is the budget checked by test/bundle.test.ts)
 *   dist/corows-*.js (and .min.js) rarely used parts, each imported on first use: the reconnect
 *                       supervisor (reconnector), the keep-alive, requests (control-plane), and the
 *                       errors of wrong arguments (argument-errors)
 *   dist/corows.d.ts    every type in one file, no imports
 *   dist/THIRD_PARTY_NOTICES.md  the license of every package inside the bundle (eventemitter3, core),
 *                       which corows.js also carries in its opening comment; corows.min.js carries no
 *                       comment, to keep its bytes, and ships next to this file
 * The platform is chosen by package resolution: under the `browser` condition core's `#dial` and
 * `#link` resolve to their browser files (the page's own WebSocket, no `ws` code), and
 * `browser: true` honours package.json "browser" fields (isomorphic-ws → the global WebSocket).
 */
import { fileURLToPath } from 'node:url';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import license from 'rollup-plugin-license';
import { dts } from 'rollup-plugin-dts';

const coreJs = fileURLToPath(import.meta.resolve('@corows/core'));
const coreTypes = coreJs.replace(/\.js$/, '.d.ts');

/** @param {import('rollup-plugin-license').Dependency} dep */
const licenseOf = (dep) => `${dep.name} ${dep.version} (${dep.license})\n\n${dep.licenseText?.trim() ?? ''}`;

/** Notices of the bundled packages: a banner on corows.js and dist/THIRD_PARTY_NOTICES.md. */
const notices = license({
  banner: {
    commentStyle: 'ignored',
    content: [
      '<%= pkg.name %> <%= pkg.version %> (<%= pkg.license %>). It bundles the packages below; their',
      'licenses are also in THIRD_PARTY_NOTICES.md, next to this file.',
      '<% _.forEach(dependencies, function (dep) { %>\n<%= data.licenseOf(dep) %>\n<% }) %>',
    ].join('\n'),
    data: { licenseOf },
  },
  thirdParty: {
    allow: { test: 'MIT', failOnUnlicensed: true, failOnViolation: true },
    output: {
      file: fileURLToPath(new URL('dist/THIRD_PARTY_NOTICES.md', import.meta.url)),
      template: (deps) =>
        `# Third-party notices\n\n@corows/browser's dist/corows.js and dist/corows.min.js contain the following packages.\n\n` +
        deps.map((dep) => `## ${dep.name} ${dep.version}\n\nLicense: ${dep.license}\n\n\`\`\`text\n${dep.licenseText?.trim() ?? '(no license file)'}\n\`\`\`\n`).join('\n'),
    },
  },
});

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    input: coreJs,
    // The shared code stays in the entry (no facade file re-exporting a chunk): the entry may export
    // what the reconnect chunk imports from it.
    preserveEntrySignatures: 'allow-extension',
    plugins: [
      // `source` is left out on purpose: the bundle is built from core's dist, the JavaScript Node runs.
      nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'], preferBuiltins: false }),
      // eventemitter3's ES entry wraps its CommonJS file; that file has no side effects, so it is inlined
      // as is rather than behind a require-once wrapper.
      commonjs({ strictRequires: false }),
    ],
    // Rarely used parts (see the list above) are chunks of their own, loaded on first use: a page
    // loads corows.js (or corows.min.js) first, and a chunk beside it only if it asks for that part.
    output: [
      { dir: 'dist', entryFileNames: 'corows.js', chunkFileNames: 'corows-[name]-[hash].js', format: 'es', sourcemap: true, plugins: [notices] },
      {
        dir: 'dist',
        entryFileNames: 'corows.min.js',
        chunkFileNames: 'corows-[name]-[hash].min.js',
        format: 'es',
        sourcemap: true,
        // Error classes keep their names: errors take `name` from their class (`new.target.name`).
        // WebSocketConn keeps its own so that it reads right in a debugger.
        plugins: [terser({ keep_classnames: /^(?:\w+Error|WebSocketConn)$/, compress: { passes: 3 } })],
      },
    ],
    onwarn(warning) {
      // An unresolved import or a circular chunk here means a broken bundle: fail the build.
      throw new Error(`rollup: ${warning.message}`);
    },
  },
  {
    input: coreTypes,
    plugins: [dts({ respectExternal: true })], // inline eventemitter3's types too: one file, no imports
    output: { file: 'dist/corows.d.ts', format: 'es' },
  },
];

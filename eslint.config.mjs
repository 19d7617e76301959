// ESLint flat config, run by `npm run lint` (part of `npm test`). typescript-eslint's recommended rules without type
// information (so a full lint stays within a few seconds), unused imports and variables as errors, and the
// architecture's layers as `no-restricted-imports`: the analysis core (`server/src/core`) knows no LSP, VS Code,
// file system or processes and no edge folder; the language server (`server/src/lsp`) reaches the frontends only
// through `core/analyze.ts` and `core/frontends.ts`, never their internals. `test/architecture.test.ts` checks the
// same layers by reading the imports, so the rule cannot be switched off quietly.

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node built-ins and packages the pure core must not import. */
const IMPURE = ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'child_process', 'node:child_process', 'worker_threads',
  'node:worker_threads', 'vscode', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-*',
  'vscode-languageclient', 'vscode-languageclient/*', 'web-tree-sitter'];

/** The edge folders, seen from inside server/src/core (any depth). */
const EDGES = ['lsp', 'cli', 'workspace', 'parsing', 'probe', 'shared'].flatMap((dir) => [`**/${dir}/*`, `**/${dir}`]);

/** Frontend internals, seen from server/src/lsp. */
const FRONTEND_INTERNALS = ['python', 'keras', 'tfjs', 'tf1'].map((dir) => `**/core/${dir}/*`);

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.tools/', 'test-results/', 'test/fixtures/', 'test/golden/', 'editors/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', __filename: 'readonly',
        require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', clearImmediate: 'readonly',
        queueMicrotask: 'readonly', performance: 'readonly', URL: 'readonly', TextDecoder: 'readonly',
        TextEncoder: 'readonly', structuredClone: 'readonly', globalThis: 'readonly', AbortController: 'readonly',
        fetch: 'readonly', WebAssembly: 'readonly', gc: 'readonly',
      },
    },
    rules: {
      // Type-plus-namespace pairs (`Problem` / `Problem.isFixable`) are the project's idiom (STYLE.md).
      '@typescript-eslint/no-namespace': 'off',
      // A walk that starts at `this` (a node descending to a child, a scope climbing to its parents) names it.
      '@typescript-eslint/no-this-alias': 'off',
      // An empty catch says "this may fail and nothing follows from it"; e2e clean-up and screenshots do so.
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain Node scripts (the CLI's launcher, benchmarks, the e2e runners) load CommonJS with require().
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Functions the e2e tests hand to page.waitForFunction run in the browser.
    files: ['test/e2e/**'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly' } },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        // web-tree-sitter's types describe the trees the edge hands in; loading it (WASM) is the edge's job.
        paths: IMPURE.filter((name) => !name.includes('*')).map((name) => ({ name, allowTypeImports: name === 'web-tree-sitter', message: 'The analysis core is pure: no LSP, VS Code, file system, processes or WASM loading (docs/architecture.md).' })),
        patterns: [
          { group: IMPURE.filter((name) => name.includes('*')), message: 'The analysis core is pure (docs/architecture.md).' },
          { group: EDGES, message: 'The analysis core imports no edge folder (lsp, cli, workspace, parsing, probe, shared); the edge hands values in.' },
        ],
      }],
    },
  },
  {
    files: ['server/src/lsp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: FRONTEND_INTERNALS, message: 'The language server reaches frontends through core/analyze.ts and core/frontends.ts, not their internals.' }],
      }],
    },
  },
);

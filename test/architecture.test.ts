// Guards the architecture's invariants by reading every source file's imports: the analysis core stays pure (no LSP,
// VS Code, file system, processes, nor any edge folder), the language server reaches the frontends only through
// the pipeline, the core has no import cycle, the server reads exactly the settings package.json declares, and no
// source file grows past 900 lines (a file that long does several things; split it by responsibility).
// ESLint's no-restricted-imports (eslint.config.mjs) says the same while one types; this test keeps it from being
// switched off quietly.

import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { SETTING_KEYS } from '../server/src/lsp/settings';

const SRC = join(__dirname, '..', 'server', 'src');
const CORE = join(SRC, 'core');

function files(dir: string, pattern = /\.ts$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full, pattern) : pattern.test(full) ? [full] : [];
  });
}

/** Lines as `wc -l` and an editor count them: a final line break ends the last line, it starts no new one. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The longest a source file may be. */
const MAX_SOURCE_LINES = 900;

/** Every module a file imports or re-exports (type-only imports included), as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms), ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => m[1]);
}

/** A relative import as a path under server/src (`core/graph`), or the package name for anything else. */
function target(file: string, specifier: string): string {
  return specifier.startsWith('.') ? relative(SRC, resolve(dirname(file), specifier)).split('\\').join('/') : specifier;
}

/** `file → imported` pairs of the files under `dir` whose import matches `forbidden`. */
function offending(dir: string, forbidden: (imported: string) => boolean): string[] {
  return files(dir).flatMap((f) => importsOf(f).map((s) => target(f, s)).filter(forbidden).map((t) => `${relative(SRC, f)} → ${t}`));
}

const IMPURE = /^(node:)?(fs|fs\/promises|child_process|worker_threads)$|^vscode($|-languageserver|-languageclient)/;
const EDGE_FOLDERS = /^(lsp|cli|workspace|parsing|probe|shared)(\/|$)/;
const FRONTEND_INTERNALS = /^core\/(python|keras|tfjs|tf1)\//;

describe('architecture', () => {
  it('the analysis core imports nothing from LSP, VS Code, the file system or processes', () => {
    assert.deepEqual(offending(CORE, (t) => IMPURE.test(t)), []);
  });

  it('the analysis core imports no edge folder (lsp, cli, workspace, parsing, probe, shared)', () => {
    assert.deepEqual(offending(CORE, (t) => EDGE_FOLDERS.test(t)), []);
  });

  it('the analysis core loads no WASM: web-tree-sitter is imported for its types only', () => {
    const loads = files(CORE).filter((f) => /^\s*import\s+(?!type\b)[^;]*from\s+['"]web-tree-sitter['"]/m.test(readFileSync(f, 'utf8')));
    assert.deepEqual(loads.map((f) => relative(SRC, f)), []);
  });

  it('the language server reaches frontends through the pipeline, never their internals (python/, keras/, tfjs/)', () => {
    assert.deepEqual(offending(join(SRC, 'lsp'), (t) => FRONTEND_INTERNALS.test(t)), []);
  });

  it('the analysis core has no import cycle', () => {
    const graph = new Map(files(CORE).map((f) => [f, importsOf(f).filter((s) => s.startsWith('.')).map((s) => `${resolve(dirname(f), s)}.ts`).filter((p) => existsSync(p))]));
    // Depth-first search; a back edge to a file still on the path is a cycle.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      path.push(f);
      for (const next of graph.get(f) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((p) => relative(CORE, p)).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('the import checks see what they guard (a check that finds nothing to read cannot fail)', () => {
    const pipeline = importsOf(join(CORE, 'pipeline.ts')).map((s) => target(join(CORE, 'pipeline.ts'), s));
    assert.ok(pipeline.includes('core/frontends') && pipeline.includes('web-tree-sitter'), pipeline.join(', '));
    assert.ok(offending(join(SRC, 'lsp'), (t) => t.startsWith('vscode-languageserver')).length > 10);
  });

  it('the server reads exactly the settings package.json declares', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    const declared = Object.keys(manifest.contributes.configuration.properties).map((k: string) => k.replace(/^modelAudit\./, '')).filter((k: string) => k !== 'trace.server');
    assert.deepEqual([...declared].sort(), [...SETTING_KEYS].sort());
  });

  it(`no source file under server/src, client/src or scripts is over ${MAX_SOURCE_LINES} lines`, () => {
    const root = join(__dirname, '..');
    const sources = ['server/src', 'client/src', 'scripts'].flatMap((dir) => files(join(root, dir), /\.(ts|mts|cts|js|mjs|cjs)$/));
    assert.ok(sources.length > 100, `only ${sources.length} source files found`);
    const long = sources
      .map((f) => ({ file: relative(root, f).split('\\').join('/'), lines: lineCount(readFileSync(f, 'utf8')) }))
      .filter((f) => f.lines > MAX_SOURCE_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    assert.deepEqual(long, []);
  });
});

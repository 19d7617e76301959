// `npm run bench:incremental`: incremental analysis on code nobody here wrote. For every Python file of the
// fetched public repositories (scripts/bench/corpus.mjs, read from the snapshots, never copied), a seeded chain of
// typing-like edits is analysed twice per step: incrementally, as the language server does (the previous analysis,
// the document's tree parsed only on demand), and afresh. Prints how many steps agree, how often the edited
// statement was reparsed alone, and every disagreement (file, step, first differing finding), which is a bug.
import { analyzeSource, type FileAnalysis, ModuleMirrors, parserFor } from '../server/src/core/analyze';
import { loadParsers } from '../server/src/parsing/loadParsers';
import { IncrementalTrees } from '../server/src/parsing/incrementalTrees';
// @ts-expect-error: plain JavaScript modules of the benchmarks, without types
import { CORPUS } from './bench/corpus.mjs';
// @ts-expect-error: see above
import { readRepoFiles } from './bench/mirror.mjs';

const STEPS = Number(process.env.STEPS ?? 6);
const quick = process.argv.includes('--quick');

/** A small seeded generator (mulberry32), so every run makes the same edits. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One edit people make while typing: a character at the end of or inside a line, a new line, a deleted character. */
function edit(text: string, next: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(next() * lines.length);
  const line = lines[i];
  const kind = next();
  if (kind < 0.35) lines[i] = `${line}${' x1)('[Math.floor(next() * 5)]}`;
  else if (kind < 0.6) {
    const at = Math.floor(next() * (line.length + 1));
    lines[i] = `${line.slice(0, at)}${'a_0.,'[Math.floor(next() * 5)]}${line.slice(at)}`;
  } else if (kind < 0.8 && line.length > 0) {
    const at = Math.floor(next() * line.length);
    lines[i] = line.slice(0, at) + line.slice(at + 1);
  } else lines.splice(i, 0, line.match(/^\s*/)?.[0] ?? '');
  return lines.join('\n');
}

/** What a user sees of an analysis. */
function visible(a: FileAnalysis): string {
  return JSON.stringify({ models: a.models.map(({ cacheKey: _key, ...m }) => m), findings: a.findings });
}

async function main(): Promise<void> {
  const parsers = await loadParsers();
  const parser = parserFor(parsers, 'python')!;
  let files = 0;
  let steps = 0;
  let alone = 0;
  const disagreements: string[] = [];
  const missing: string[] = [];
  const started = performance.now();
  const seen = new Set<string>();
  for (const row of CORPUS as { repo: string; label?: string; keep: (path: string) => boolean }[]) {
    const all = readRepoFiles(row.repo, (p: string) => p.endsWith('.py') && row.keep(p)) as { path: string; text: string }[] | undefined;
    if (!all) {
      missing.push(row.label ?? row.repo);
      continue;
    }
    for (const file of quick ? all.slice(0, 5) : all) {
      const id = `${row.repo}/${file.path}`;
      if (seen.has(id)) continue;
      seen.add(id);
      files++;
      const next = random(files * 7919);
      const trees = new IncrementalTrees();
      const modules = new ModuleMirrors();
      const source = (text: string) => ({ path: file.path, language: 'python' as const, text });
      let text = file.text;
      let incremental = analyzeSource({ tree: trees.parse('doc', parser, text), file: source(text), parsers, incremental: true, modules });
      let fresh = incremental;
      for (let step = 0; step < STEPS; step++) {
        text = edit(text, next);
        let parsedWhole = false;
        const tree = () => {
          parsedWhole = true;
          return trees.parse('doc', parser, text);
        };
        incremental = analyzeSource({ tree, file: source(text), parsers, previous: incremental, incremental: true, modules });
        // A copy of the last fresh result carries no reusable state, only what a half-typed text keeps (stale models).
        fresh = analyzeSource({ file: source(text), parsers, previous: { ...fresh } });
        steps++;
        if (!parsedWhole) alone++;
        if (visible(incremental) !== visible(fresh)) {
          disagreements.push(`${id} step ${step + 1}`);
          break;
        }
      }
      trees.forget('doc');
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nIncremental = fresh on public code (${STEPS} typing edits per file)\n`);
  console.log(`files ${files}, edits ${steps}, incremental result equal to a fresh analysis: ${steps - disagreements.length} of ${steps}`);
  console.log(`edited statement reparsed alone: ${alone} of ${steps} edits (${((100 * alone) / Math.max(1, steps)).toFixed(1)} %), the rest parsed whole`);
  console.log(`time ${seconds.toFixed(1)} s`);
  if (missing.length > 0) console.log(`not fetched: ${missing.join(', ')}`);
  for (const d of disagreements) console.log(`  DIFFERS ${d}`);
  console.log(JSON.stringify({ files, edits: steps, equal: steps - disagreements.length, reparsedAlone: alone, disagreements }));
  if (disagreements.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:incremental: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});

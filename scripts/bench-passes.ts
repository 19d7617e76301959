// Part of `npm run bench`: where an edit's analysis time goes, pass by pass (server/src/core/pipeline.ts), on the
// same generated files and the same one-character edits as the language-server latency figures, but in process:
// each pass's median wall time per edit, for each file size, with the document's tree kept as the server keeps it
// (parsed incrementally, and only when the edited statement cannot be reparsed alone; that time is in 'parse').
// The LSP figures include what this leaves out (JSON-RPC, text sync, diagnostics conversion).
import { analyzeSource, type FileAnalysis, ModuleMirrors, parserFor } from '../server/src/core/analyze';
import { loadParsers } from '../server/src/parsing/loadParsers';
import { IncrementalTrees } from '../server/src/parsing/incrementalTrees';
// @ts-expect-error: a plain JavaScript module of the benchmarks, without types
import { generateModels } from './bench/generate.mjs';

const SIZES = [10, 40, 200];
const EDITS = process.argv.includes('--quick') ? 20 : 100;
const MARKER = 'self.fc3(x)';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const parsers = await loadParsers();
  const parser = parserFor(parsers, 'python')!;
  const rows: { lines: number; total: number; passes: Map<string, number> }[] = [];
  for (const models of SIZES) {
    const text: string = generateModels(models);
    const lines = text.split('\n');
    const candidates = lines.map((l, i) => (l.includes(MARKER) ? i : -1)).filter((i) => i >= 0);
    const target = candidates[Math.floor(candidates.length / 2)];
    const trees = new IncrementalTrees();
    const modules = new ModuleMirrors();
    const file = (t: string) => ({ path: 'file:///bench/generated.py', language: 'python' as const, text: t });
    let previous: FileAnalysis = analyzeSource({ tree: trees.parse('doc', parser, text), file: file(text), parsers, incremental: true, modules });
    const times = new Map<string, number[]>();
    const note = (pass: string, ms: number) => (times.get(pass) ?? times.set(pass, []).get(pass)!).push(ms);
    const totals: number[] = [];
    // A warm-up round the size of the measured one, so the figures are of compiled code, as in a long editing session.
    for (let round = 0; round < 2; round++) {
      for (let v = 0; v < EDITS; v++) {
        const edited = lines.slice();
        if (v % 2 === 0) edited[target] += ' ';
        const next = edited.join('\n');
        const started = performance.now();
        const tree = () => trees.parse('doc', parser, next);
        previous = analyzeSource({ tree, file: file(next), parsers, previous, incremental: true, modules, timing: round === 1 ? note : undefined });
        if (round === 1) totals.push(performance.now() - started);
      }
    }
    rows.push({ lines: lines.length, total: median(totals), passes: new Map([...times].map(([k, v]) => [k, median(v)])) });
  }
  const order = [...rows[0].passes.keys()];
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`\nPer-edit time by pass, in process (median of ${EDITS} edits, ms)\n`);
  console.log(`${'pass'.padEnd(14)}${rows.map((r) => pad(`${r.lines.toLocaleString('en-US')} lines`, 14)).join('')}`);
  for (const name of order) console.log(`${name.padEnd(14)}${rows.map((r) => pad((r.passes.get(name) ?? 0).toFixed(2), 14)).join('')}`);
  console.log(`${'total'.padEnd(14)}${rows.map((r) => pad(r.total.toFixed(2), 14)).join('')}`);
  console.log(JSON.stringify({ passes: rows.map((r) => ({ lines: r.lines, totalMs: Number(r.total.toFixed(2)), byPass: Object.fromEntries([...r.passes].map(([k, v]) => [k, Number(v.toFixed(2))])) })) }));
}

main().catch((error: unknown) => {
  console.error(`bench:passes: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

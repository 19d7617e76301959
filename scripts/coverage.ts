// Prints how much of the model corpus the frontends understand: the share of ops that are known ops rather than
// opaque steps, overall and per framework. `npx tsx scripts/coverage.ts [FOLDER]` (default test/fixtures/models).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../server/src/core/analyze';
import { ModelGraph } from '../server/src/core/graph';
import { loadParsers } from '../server/src/parsing/loadParsers';
import { languageOf } from '../server/src/workspace/files';

void (async () => {
  const dir = process.argv[2] ?? join(__dirname, '..', 'test', 'fixtures', 'models');
  const parsers = await loadParsers();
  const by = new Map<string, { files: Set<string>; models: number; known: number; total: number; opaque: string[] }>();
  for (const file of readdirSync(dir).sort()) {
    const language = languageOf(file);
    if (!language) continue;
    const analysis = analyzeSource({ file: { path: file, language, text: readFileSync(join(dir, file), 'utf8') }, parsers });
    for (const m of analysis.models) {
      const entry = by.get(m.graph.framework) ?? { files: new Set<string>(), models: 0, known: 0, total: 0, opaque: [] };
      const c = ModelGraph.coverage(m.graph);
      entry.files.add(file);
      entry.models++;
      entry.known += c.known;
      entry.total += c.total;
      for (const n of m.graph.nodes) if (n.op === 'opaque') entry.opaque.push(`${file}: ${n.label ?? '?'}`);
      by.set(m.graph.framework, entry);
    }
  }
  let known = 0;
  let total = 0;
  const pct = (k: number, t: number) => (t === 0 ? '—' : `${((100 * k) / t).toFixed(1)}%`);
  for (const [framework, e] of [...by].sort()) {
    known += e.known;
    total += e.total;
    console.log(`${framework.padEnd(8)} ${String(e.files.size).padStart(3)} files ${String(e.models).padStart(3)} models ${String(e.total).padStart(5)} ops  coverage ${pct(e.known, e.total)}`);
    for (const o of e.opaque) console.log(`           opaque: ${o}`);
  }
  console.log(`overall  ${String(total).padStart(24)} ops  coverage ${pct(known, total)} (${known} of ${total} ops are known, not opaque)`);
})();

// The model corpus (test/fixtures/models): realistic PyTorch, Keras and TF.js files, about half clean and half with
// one planted soft bug. Each file's warnings and errors must match its `# expect:` / `// expect:` annotations
// exactly (a clean file has none), and its models' renderings must match the golden file beside it.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import { ModelGraph } from '../../server/src/core/graph';
import { languageOf } from '../../server/src/workspace/files';
import { actualFindings, expectedFindings } from '../helpers/expectations';
import { expectGolden } from '../helpers/golden';
import { parsers } from '../helpers/parsers';
import { renderGolden } from './renderGolden';

const DIR = join(__dirname, '..', 'fixtures', 'models');
const FILES = readdirSync(DIR).filter((f) => languageOf(f) !== undefined && !f.endsWith('.golden.txt')).sort();

describe('model corpus', () => {
  it('has at least 40 files across PyTorch, Keras and TF.js, about half of them clean', () => {
    assert.ok(FILES.length >= 40, `${FILES.length} files`);
    const clean = FILES.filter((f) => expectedFindings(readFileSync(join(DIR, f), 'utf8')).length === 0).length;
    assert.ok(clean >= FILES.length * 0.4 && clean <= FILES.length * 0.6, `${clean} of ${FILES.length} are clean`);
    for (const prefix of ['pt_', 'keras', 'tfjs_']) assert.ok(FILES.some((f) => f.startsWith(prefix)), `no ${prefix} files`);
  });

  for (const file of FILES) {
    it(file, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const language = languageOf(file)!;
      const analysis = analyzeSource({ file: { path: file, language, text }, parsers: await parsers() });
      assert.ok(analysis.models.length > 0, 'no model found');
      for (const m of analysis.models) assert.ok(m.graph.nodes.length > 1, `${m.graph.name} has no ops`);
      assert.deepEqual(actualFindings(analysis.findings, ['error', 'warning']), expectedFindings(text), 'warnings and errors differ from the expect: annotations');
      expectGolden(join(DIR, file.replace(/\.(py|js|ts|mjs|cjs)$/, '.golden.txt')), renderGolden(analysis));
    });
  }

  it('understands nearly every op in the corpus (coverage above 97%)', async () => {
    let known = 0;
    let total = 0;
    for (const file of FILES) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const analysis = analyzeSource({ file: { path: file, language: languageOf(file)!, text }, parsers: await parsers() });
      for (const m of analysis.models) {
        const c = ModelGraph.coverage(m.graph);
        known += c.known;
        total += c.total;
      }
    }
    assert.ok(total > 500, `${total} ops`);
    assert.ok(known / total > 0.97, `coverage ${(100 * known / total).toFixed(1)}%`);
  });
});

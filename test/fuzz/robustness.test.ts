// Property-based robustness: random edits, truncations and byte noise applied to every fixture and sample. The
// analysis never throws, finishes within a time bound, and returns findings whose ranges lie inside the text.
// `npm test` runs a small, seeded budget; `npm run fuzz` runs a large one (FUZZ_RUNS) and prints the counts.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import fc from 'fast-check';
import { analyzeSource } from '../../server/src/core/analyze';
import type { Language } from '../../server/src/core/graph';
import { type Mutation, mutate, mutation } from '../helpers/mutate';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
/** Generous, so a loaded CI machine does not flake; a hang or blow-up is far beyond it. */
const TIME_BOUND_MS = 3000;
const LANGUAGES: Record<string, Language> = { '.py': 'python', '.js': 'javascript', '.ts': 'typescript', '.mspec': 'model-spec' };

function corpus(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (LANGUAGES[extname(name)] && !name.endsWith('.d.ts')) out.push(full);
    }
  };
  walk(join(ROOT, 'samples'));
  walk(join(ROOT, 'test', 'fixtures'));
  return out;
}

export const counts = { cases: 0, edits: 0, failures: 0 };

describe('robustness under random edits (fast-check)', function () {
  this.timeout(0);
  after(() => {
    if (process.env.FUZZ_RUNS) console.log(`      fuzz: ${counts.cases} cases, ${counts.edits} edits, ${counts.failures} failures (seed ${SEED})`);
  });

  for (const file of corpus()) {
    const rel = file.slice(ROOT.length + 1);
    it(`${rel} never throws, stays in bounds and finishes in time`, async () => {
      const p = await parsers();
      const language = LANGUAGES[extname(file)];
      const original = readFileSync(file, 'utf8');
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 8 }), async (edits) => {
          counts.cases++;
          counts.edits += edits.length;
          const text = mutate(original, edits as Mutation[]);
          const started = performance.now();
          let result;
          try {
            result = analyzeSource({ file: { path: rel, language, text }, parsers: p });
          } catch (error) {
            counts.failures++;
            throw error;
          }
          const ms = performance.now() - started;
          assert.ok(ms < TIME_BOUND_MS, `took ${ms.toFixed(0)} ms`);
          const lines = text.split('\n').length;
          for (const f of result.findings) {
            assert.ok(f.range.start.line >= 0 && f.range.end.line <= lines, `finding ${f.code} out of bounds: ${JSON.stringify(f.range)}`);
          }
          for (const m of result.models) assert.equal(typeof m.equation.text, 'string');
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    });
  }
});

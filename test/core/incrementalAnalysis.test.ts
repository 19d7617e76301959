// Incremental analysis (a reused syntax mirror, reused statement scopes, reused model graphs and analyses) must give
// exactly what analysing the same text afresh gives, whatever the edits.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import { IncrementalTrees } from '../../server/src/parsing/incrementalTrees';
import { type Mutation, mutate, mutation } from '../helpers/mutate';
import { parsers } from '../helpers/parsers';

const root = join(__dirname, '..', '..');
const FILES = [
  ...readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.py')).map((f) => `samples/${f}`),
  'test/fixtures/pytorch/half_typed.py',
  'test/fixtures/models/pt_resnet.py',
  'test/fixtures/models/pt_gpt_block_config.py',
  // Rules whose facts are kept per statement (weight inits, fit calls): their positions must follow the edits.
  'test/fixtures/rules/MA014/pos_pytorch_weights_init_constant.py',
  'test/fixtures/rules/MT007/pos_np_load_validation_split.py',
  'test/fixtures/rules/MT008/pos_mnist_labels_divided.py',
];

/** What a user sees of an analysis: every model's graph, equation and findings, and the file's findings. */
function visible(a: FileAnalysis): unknown {
  return JSON.parse(JSON.stringify({ models: a.models.map(({ cacheKey: _key, ...m }) => m), findings: a.findings }));
}

/** Edits people make while typing: a character in a line, a new line, a deleted line, a new statement on top. */
const typing: fc.Arbitrary<(text: string) => string> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(' ', 'x', '1', ')', '(', ':')).map(([n, ch]) => (text: string) => {
    const lines = text.split('\n');
    const i = n % lines.length;
    lines[i] = `${lines[i]}${ch}`;
    return lines.join('\n');
  }),
  fc.nat().map((n) => (text: string) => {
    const lines = text.split('\n');
    lines.splice(n % (lines.length + 1), 0, '');
    return lines.join('\n');
  }),
  fc.nat().map((n) => (text: string) => {
    const lines = text.split('\n');
    lines.splice(n % lines.length, 1);
    return lines.join('\n');
  }),
  fc.constant((text: string) => `import math\n${text}`),
  mutation.map((m) => (text: string) => mutate(text, [m as Mutation])),
);

describe('incremental analysis', () => {
  it('two models whose code mentions the same statements keep their own graphs (found by npm run fuzz)', async () => {
    // `class AutoEncoder(nn.Module):1` ends the class at its first line, so its methods become module-level
    // functions that mention Encoder and Decoder; both classes then read exactly the same statements.
    const set = await parsers();
    const trees = new IncrementalTrees();
    let text = readFileSync(join(root, 'samples', 'autoencoder.py'), 'utf8');
    let analysis = analyzeSource({ file: { path: 'a.py', language: 'python', text }, parsers: set, tree: trees.parse('doc', set.python!, text), incremental: true });
    for (const [line, typed] of [[26, '1'], [34, '1']] as const) {
      const lines = text.split('\n');
      lines[line] += typed;
      text = lines.join('\n');
      analysis = analyzeSource({ file: { path: 'a.py', language: 'python', text }, parsers: set, tree: trees.parse('doc', set.python!, text), previous: analysis, incremental: true });
    }
    assert.deepEqual(analysis.models.map((m) => m.graph.name), ['Encoder', 'Decoder', 'AutoEncoder']);
    assert.equal(analysis.models[0].equation.text, 'y = W₂·ReLU(W₁x + b₁) + b₂');
    assert.equal(analysis.models[1].equation.text, 'y = σ(W₂·ReLU(W₁x + b₁) + b₂)');
    trees.forget('doc');
  });

  for (const file of FILES) {
    it(`${file}: a chain of edits analysed incrementally equals analysing each text afresh`, async () => {
      const set = await parsers();
      const original = readFileSync(join(root, file), 'utf8');
      await fc.assert(
        fc.asyncProperty(fc.array(typing, { minLength: 1, maxLength: 6 }), async (steps) => {
          const trees = new IncrementalTrees();
          let text = original;
          const first = analyzeSource({ file: { path: file, language: 'python', text }, parsers: set, tree: trees.parse('doc', set.python!, text), incremental: true });
          let incremental = first;
          let fresh = first;
          for (const step of steps) {
            text = step(text);
            // As the server does: the tree is parsed only when the edited statement cannot be reparsed alone.
            incremental = analyzeSource({ file: { path: file, language: 'python', text }, parsers: set, tree: () => trees.parse('doc', set.python!, text), previous: incremental, incremental: true });
            // A copy of the previous results carries no reusable state: the fresh side parses and extracts everything.
            fresh = analyzeSource({ file: { path: file, language: 'python', text }, parsers: set, previous: { ...fresh } });
            assert.deepEqual(visible(incremental), visible(fresh));
          }
          trees.forget('doc');
        }),
        // `npm run fuzz` raises the budget (FUZZ_RUNS chains per file).
        { numRuns: Number(process.env.FUZZ_RUNS ?? 12), seed: 11 },
      );
    });
  }
});

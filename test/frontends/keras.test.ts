// Keras and TF.js frontends: the behaviours a user notices beyond the corpus goldens: the activation quick fix
// in each framework's idiom, `activation=` as two ops, both Python frameworks in one file, and half-typed code.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import type { Language } from '../../server/src/core/graph';
import { applyEdits } from '../helpers/edits';
import { parsers } from '../helpers/parsers';

const DIR = join(__dirname, '..', 'fixtures', 'models');

async function analyze(text: string, language: Language) {
  return analyzeSource({ file: { path: `x.${language === 'python' ? 'py' : language === 'typescript' ? 'ts' : 'js'}`, language, text }, parsers: await parsers() });
}

describe('Keras and TF.js frontends', () => {
  for (const [file, language, expected] of [
    ['keras_mlp_missing_activation.py', 'python', /model\.add\(Dense\(32, activation='relu'\)\)/],
    ['keras2_legacy_mlp_bug.py', 'python', /model\.add\(Dense\(8, activation='relu'\)\)/],
    ['tfjs_mlp_missing_activation.js', 'javascript', /tf\.layers\.dense\(\{ units: 16, activation: 'relu' \}\)/],
    ['tfjs_autoencoder_bug.ts', 'typescript', /tf\.layers\.dense\(\{ units: 256, activation: 'relu' \}\)/],
  ] as const) {
    it(`${file}: the MA001 fix adds the activation to the layer's arguments and removes the finding`, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const finding = (await analyze(text, language)).findings.find((f) => f.code === 'MA001')!;
      const fixed = applyEdits(text, finding.fixes![0].edits);
      assert.match(fixed, expected);
      assert.equal((await analyze(fixed, language)).findings.filter((f) => f.code === 'MA001').length, 0);
    });
  }

  it("replaces activation=None with 'relu' rather than adding a second keyword", async () => {
    const text = 'from keras.models import Sequential\nfrom keras.layers import Dense\nm = Sequential([Dense(32, activation=None, input_dim=8), Dense(4)])\n';
    const finding = (await analyze(text, 'python')).findings.find((f) => f.code === 'MA001')!;
    assert.match(applyEdits(text, finding.fixes![0].edits), /Dense\(32, activation='relu', input_dim=8\)/);
  });

  it("reads activation='relu' as an affine op and an activation op, and a bare Dense as the affine op alone", async () => {
    const text = "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(8, activation='relu', input_shape=(4,)), tf.keras.layers.Dense(2)])\n";
    const [model] = (await analyze(text, 'python')).models;
    assert.deepEqual(model.graph.nodes.map((n) => `${n.op}:${n.category}`), ['input:input', 'linear:affine', 'relu:activation', 'linear:affine']);
    assert.deepEqual(model.graph.nodes.map((n) => n.shape), [[4], [8], [8], [2]]);
  });

  it('finds the PyTorch and the Keras models of a file that imports both', async () => {
    const text = [
      'import torch.nn as nn',
      'from tensorflow import keras',
      'torch_net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))',
      "keras_net = keras.Sequential([keras.layers.Dense(8, activation='relu', input_shape=(4,)), keras.layers.Dense(2)])",
      '',
    ].join('\n');
    const models = (await analyze(text, 'python')).models.map((m) => `${m.graph.name}:${m.graph.framework}`);
    assert.deepEqual(models, ['torch_net:pytorch', 'keras_net:keras']);
  });

  it('keeps a TF.js model connected through helpers it cannot see, as named opaque steps', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { buildEncoder, residual } from './blocks';",
      'const input = tf.input({ shape: [32] });',
      'let x = buildEncoder(64).apply(input);',
      'x = residual(x, 64);',
      "const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(x) });",
      '',
    ].join('\n');
    const [model] = (await analyze(text, 'typescript')).models;
    // The encoder is named as it was built, `buildEncoder(64)`, and applied to the input like any layer.
    assert.deepEqual(model.graph.nodes.map((n) => n.op === 'opaque' ? n.label : n.op), ['input', 'buildEncoder(64)', 'residual(x, 64)', 'linear']);
    assert.deepEqual(model.graph.nodes.map((n) => n.inputs), [[], [0], [1], [2]]);
    for (const n of model.graph.nodes.filter((x) => x.op === 'opaque')) assert.match(n.reason ?? '', /`\.\/blocks`/);
  });

  it('never throws on half-typed Keras or TF.js code', async () => {
    for (const [file, language] of [['keras_functional_resnet.py', 'python'], ['keras_subclassed_mlp.py', 'python'], ['tfjs_functional_skip.ts', 'typescript'], ['tfjs_lstm.js', 'javascript']] as const) {
      const text = readFileSync(join(DIR, file), 'utf8');
      for (let cut = 0; cut < text.length; cut += 37) {
        const analysis = await analyze(text.slice(0, cut), language);
        for (const m of analysis.models) assert.equal(typeof m.equation.text, 'string');
      }
    }
  });
});

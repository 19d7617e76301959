// Cross-file extraction for Keras and TF.js: a model that imports its blocks from other workspace files (a Python
// function applying layers, a function returning a layer stack, a subclassed layer; an ES module or CommonJS helper)
// is followed through the workspace resolver, with every op reported in the model's own file. Names from outside
// the workspace (keras_cv, tensorflow_hub, an npm package) become named opaque blocks with a hint, never a crash.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { analyzeSource, type FileAnalysis, ModuleMirrors } from '../../server/src/core/analyze';
import type { Language } from '../../server/src/core/graph';
import type { ImportResolver } from '../../server/src/core/imports';
import { resolveJsModule } from '../../server/src/workspace/jsImports';
import { createImportResolver } from '../../server/src/workspace/pythonImports';
import { parsers } from '../helpers/parsers';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const KERAS_NET = join(WORKSPACE, 'keras_models', 'net.py');
const TFJS_MODEL = join(WORKSPACE, 'tfjs', 'model.js');
/** A JavaScript model importing blocks from a TypeScript module with type annotations. */
const TYPED_MODEL = join(WORKSPACE, 'tfjs', 'typed', 'model.js');
const TYPED_BLOCKS = join(WORKSPACE, 'tfjs', 'typed', 'blocks.ts');

async function analyzeFile(path: string, language: Language, resolveImport?: ImportResolver): Promise<FileAnalysis> {
  return analyzeSource({ file: { path, language, text: readFileSync(path, 'utf8') }, parsers: await parsers(), resolveImport });
}

/** An in-memory workspace: module specifier → source, for the shapes of import a fixture folder does not cover. */
function virtual(files: Record<string, string>): ImportResolver {
  return (name) => (files[name] !== undefined ? { path: `/virtual/${name.replace(/^\.\//, '')}`, text: files[name] } : undefined);
}

function lineOf(path: string, needle: string): number {
  const index = readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} is in ${path}`);
  return index;
}

describe('Keras imports across files', () => {
  it('follows `from .blocks import conv_block` and a subclassed layer from `keras_models.layers` into a functional model', async () => {
    const analysis = await analyzeFile(KERAS_NET, 'python', createImportResolver([WORKSPACE]));
    const cnn = analysis.models.find((m) => m.graph.name === 'build_cnn')!;
    assert.equal(cnn.graph.nodes.filter((n) => n.op === 'opaque').length, 0);
    assert.deepEqual(cnn.graph.nodes.filter((n) => n.category === 'affine').map((n) => `${n.op} ${n.attrs.in}→${n.attrs.out}`), ['conv2d 3→32', 'conv2d 32→32', 'conv2d 32→32', 'linear 32→10']);
    assert.equal(cnn.equation.text, 'y = softmax(W₄·avgpool(h₁ + W₃∗ReLU(W₂∗h₁ + b₂) + b₃) + b₄), where h₁ = ReLU(BN(W₁∗x))');
    // The block's ops sit at the calls in net.py that run them, marked with the file they are written in.
    const convBlockLine = lineOf(KERAS_NET, 'x = conv_block(inputs, 32)');
    const residualLine = lineOf(KERAS_NET, 'x = ResidualBlock(32)(x)');
    for (const n of cnn.graph.nodes.filter((x) => x.origin !== undefined)) {
      assert.ok([convBlockLine, residualLine].includes(n.range.start.line), `#${n.id} ${n.op} at line ${n.range.start.line}`);
      assert.equal(n.insertActivation, undefined, 'no edit lands in another file');
    }
    assert.ok(cnn.graph.nodes.some((n) => n.origin?.endsWith('blocks.py')));
    assert.ok(cnn.graph.nodes.some((n) => n.origin?.endsWith('layers.py')));
  });

  it('reports MA001 inside a layer stack spread from an imported function at the splat, with no fix into the other file', async () => {
    const analysis = await analyzeFile(KERAS_NET, 'python', createImportResolver([WORKSPACE]));
    const mlp = analysis.models.find((m) => m.graph.name === 'mlp')!;
    assert.deepEqual(mlp.graph.nodes.filter((n) => n.op === 'linear').map((n) => `${n.attrs.in}→${n.attrs.out}`), ['64→128', '128→128', '128→10']);
    const [collapse] = analysis.findings.filter((f) => f.code === 'MA001');
    assert.equal(collapse.range.start.line, lineOf(KERAS_NET, '*dense_stack(128, 2)'));
    assert.match(collapse.message, /compose into one linear map 128→10/);
    assert.deepEqual(collapse.fixes ?? [], []);
  });

  it('inlines an imported subclassed layer inside a subclassed model', async () => {
    const analysis = await analyzeFile(KERAS_NET, 'python', createImportResolver([WORKSPACE]));
    const model = analysis.models.find((m) => m.graph.name === 'Classifier')!;
    assert.deepEqual(model.graph.nodes.filter((n) => n.category === 'affine').map((n) => n.module), ['stem', 'block.conv1', 'block.conv2', 'head']);
    assert.equal(model.graph.nodes.filter((n) => n.op === 'opaque').length, 0);
    assert.ok(!analysis.models.some((m) => m.graph.name === 'ResidualBlock'), 'an imported class is not a model of this file');
  });

  it('shows tensorflow_hub and keras_cv layers as one named opaque block each, with a hint naming the library', async () => {
    const analysis = await analyzeFile(KERAS_NET, 'python', createImportResolver([WORKSPACE]));
    const embedder = analysis.models.find((m) => m.graph.name === 'embedder')!;
    const [hubLayer] = embedder.graph.nodes.filter((n) => n.op === 'opaque');
    assert.match(hubLayer.label ?? '', /^hub\.KerasLayer\("https:\/\/tfhub\.dev\//);
    assert.match(hubLayer.reason ?? '', /`tensorflow_hub`/);
    assert.ok(analysis.findings.some((f) => f.code === 'MA000' && f.severity === 'hint' && /tensorflow_hub/.test(f.message)));
    const detector = analysis.models.find((m) => m.graph.name === 'detector')!;
    const [backbone] = detector.graph.nodes.filter((n) => n.op === 'opaque');
    assert.equal(backbone.label, 'YOLOV8Backbone.from_preset("yolo_v8_s_backbone")');
    assert.match(backbone.reason ?? '', /`keras_cv\.models`/);
  });

  it('knows an activation from a library it does not read by its name, and names that library\'s layers', async () => {
    const text = 'import tensorflow_addons as tfa\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\nm = keras.Sequential([layers.Dense(8, activation=tfa.activations.gelu, input_shape=(4,)), tfa.layers.GroupNormalization(2), layers.Dense(2)])\n';
    const [model] = analyzeSource({ file: { path: 'x.py', language: 'python', text }, parsers: await parsers(), resolveImport: () => undefined }).models;
    assert.deepEqual(model.graph.nodes.map((n) => (n.op === 'opaque' ? n.label : n.op)), ['input', 'linear', 'gelu', 'tfa.layers.GroupNormalization(2)', 'linear']);
  });

  it('without a resolver, workspace imports become named opaque blocks and nothing throws', async () => {
    const analysis = await analyzeFile(KERAS_NET, 'python');
    const opaque = (name: string) => analysis.models.find((m) => m.graph.name === name)!.graph.nodes.filter((n) => n.op === 'opaque');
    assert.deepEqual(opaque('build_cnn').map((n) => n.label), ['conv_block(inputs, 32)', 'ResidualBlock(32)']);
    assert.match(opaque('build_cnn')[0].reason ?? '', /`\.blocks`/);
    assert.match(opaque('build_cnn')[1].reason ?? '', /`keras_models\.layers`/);
    assert.deepEqual(opaque('mlp').map((n) => n.label), ['dense_stack(128, 2)']);
    assert.deepEqual(analysis.findings.filter((f) => f.severity !== 'hint'), []);
  });

  it('reads `import package.module as alias`, wildcard imports and constants of another file', async () => {
    const resolve = virtual({
      'nets.config': 'HIDDEN = 32\nCLASSES = HIDDEN // 4\n',
      'nets.blocks': 'from tensorflow.keras import layers\nfrom .config import *\n\ndef head(x):\n    return layers.Dense(CLASSES)(layers.Dense(HIDDEN, activation="relu")(x))\n',
      '.config': 'HIDDEN = 32\nCLASSES = HIDDEN // 4\n',
    });
    const text = 'from tensorflow import keras\nimport nets.blocks as blocks\nfrom nets.config import CLASSES\n\ninp = keras.Input(shape=(16,))\nmodel = keras.Model(inp, blocks.head(inp))\nassert CLASSES == 8\n';
    const analysis = analyzeSource({ file: { path: '/virtual/train.py', language: 'python', text }, parsers: await parsers(), resolveImport: resolve });
    const [model] = analysis.models;
    assert.deepEqual(model.graph.nodes.filter((n) => n.op === 'linear').map((n) => `${n.attrs.in}→${n.attrs.out}`), ['16→32', '32→8']);
  });

  it('survives an import cycle and a resolver that throws', async () => {
    const cyclic = virtual({ '.blocks': 'from .blocks import conv_block\nfrom .net import build_cnn\nfrom tensorflow.keras import layers\n\ndef conv_block(x, f):\n    return conv_block(x, f)\n' });
    const analysis = await analyzeFile(KERAS_NET, 'python', cyclic);
    assert.ok(analysis.models.some((m) => m.graph.name === 'build_cnn'));
    const throwing: ImportResolver = () => {
      throw new Error('disk on fire');
    };
    assert.equal((await analyzeFile(KERAS_NET, 'python', throwing)).models.length, 5);
  });
});

describe('TF.js imports across files', () => {
  it("follows `import { … } from './blocks.js'` (a layer array, a layer, a function applying layers) and `require('./heads.cjs')`", async () => {
    const analysis = await analyzeFile(TFJS_MODEL, 'javascript', createImportResolver([WORKSPACE]));
    const mlp = analysis.models.find((m) => m.graph.name === 'mlp')!;
    assert.deepEqual(mlp.graph.nodes.filter((n) => n.category !== 'input').map((n) => n.op), ['linear', 'relu', 'linear', 'relu', 'dropout', 'linear', 'linear', 'softmax']);
    const cnn = analysis.models.find((m) => m.graph.name === 'buildCnn')!;
    assert.equal(cnn.graph.nodes.filter((n) => n.op === 'opaque').length, 0);
    assert.deepEqual(cnn.graph.nodes.filter((n) => n.category === 'affine').map((n) => `${n.op} ${n.attrs.in}→${n.attrs.out}`), ['conv2d 1→16', 'conv2d 16→16', 'linear 3136→64', 'linear 64→10']);
    const headLine = lineOf(TFJS_MODEL, 'classifierHead(14 * 14 * 16, 10)');
    for (const n of cnn.graph.nodes.filter((x) => x.op === 'linear')) assert.equal(n.range.start.line, headLine);
    assert.deepEqual(analysis.models.map((m) => m.graph.name), ['mlp', 'buildCnn', 'buildTransfer'], 'models built in the imported files are not models of this one');
  });

  it('reports MA001 after an imported projection at the array entry that spreads it, with no fix into the other file', async () => {
    const analysis = await analyzeFile(TFJS_MODEL, 'javascript', createImportResolver([WORKSPACE]));
    const [collapse] = analysis.findings.filter((f) => f.code === 'MA001');
    assert.equal(collapse.range.start.line, lineOf(TFJS_MODEL, 'projection(64),'));
    assert.match(collapse.message, /compose into one linear map 128→10/);
    assert.deepEqual(collapse.fixes ?? [], []);
  });

  it('shows a model from an npm package as one named opaque block with a hint', async () => {
    const analysis = await analyzeFile(TFJS_MODEL, 'javascript', createImportResolver([WORKSPACE]));
    const transfer = analysis.models.find((m) => m.graph.name === 'buildTransfer')!;
    const [backbone] = transfer.graph.nodes.filter((n) => n.op === 'opaque');
    assert.equal(backbone.label, 'mobilenet.load()');
    assert.match(backbone.reason ?? '', /`@tensorflow-models\/mobilenet`/);
  });

  it('without a resolver, the helpers are named opaque blocks and nothing throws', async () => {
    const analysis = await analyzeFile(TFJS_MODEL, 'javascript');
    const labels = analysis.models.flatMap((m) => m.graph.nodes.filter((n) => n.op === 'opaque').map((n) => n.label));
    assert.deepEqual(labels, ['denseBlock(128)', 'projection(64)', 'convBlock(input, 16)', 'classifierHead(14 * 14 * 16, 10)', 'mobilenet.load()']);
  });

  it('reads module.exports = function, exports.name, export default, export { a as b } and import * as ns', async () => {
    const resolve = virtual({
      './a.cjs': "const tf = require('@tensorflow/tfjs');\nmodule.exports = (units) => tf.layers.dense({ units, activation: 'relu' });\n",
      './b.cjs': "const tf = require('@tensorflow/tfjs');\nexports.head = (units) => tf.layers.dense({ units });\n",
      './c.js': "import * as tf from '@tensorflow/tfjs';\nexport default function hidden(units) { return tf.layers.dense({ units, activation: 'tanh' }); }\n",
      './d.js': "import * as tf from '@tensorflow/tfjs';\nconst drop = (rate) => tf.layers.dropout({ rate });\nexport { drop as dropout };\n",
      './e.js': "export * from './d.js';\nimport * as tf from '@tensorflow/tfjs';\nexport function norm() { return tf.layers.batchNormalization({}); }\n",
    });
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      "import hidden from './c.js';",
      "import { dropout } from './d.js';",
      "import * as extra from './e.js';",
      "const relu = require('./a.cjs');",
      "const { head } = require('./b.cjs');",
      'const model = tf.sequential({ layers: [relu(32), hidden(16), dropout(0.1), extra.norm(), head(4)] });',
      '',
    ].join('\n');
    const analysis = analyzeSource({ file: { path: '/virtual/model.js', language: 'javascript', text }, parsers: await parsers(), resolveImport: resolve });
    const [model] = analysis.models;
    assert.deepEqual(model.graph.nodes.filter((n) => n.category !== 'input').map((n) => n.op), ['linear', 'relu', 'linear', 'tanh', 'dropout', 'batch_norm', 'linear']);
  });

  it('parses an imported `.ts` module as TypeScript when a `.js` model imports it', async () => {
    const analysis = await analyzeFile(TYPED_MODEL, 'javascript', createImportResolver([WORKSPACE]));
    const [model] = analysis.models;
    assert.equal(model.graph.nodes.filter((n) => n.op === 'opaque').length, 0, 'the annotated blocks are read, not opaque');
    assert.deepEqual(model.graph.nodes.filter((n) => n.op === 'linear').map((n) => `${n.attrs.in}→${n.attrs.out}`), ['20→64', '64→32', '32→3']);
    assert.equal(model.equation.text, 'y = softmax(W₃·dropout(tanh(W₂·ReLU(W₁x + b₁) + b₂)) + b₃)');
    assert.ok(model.graph.nodes.some((n) => n.origin?.endsWith('blocks.ts')));
    assert.deepEqual(analysis.findings.filter((f) => f.code === 'MA000'), []);
  });

  it("keeps an imported module's mirror under its own parser, so JavaScript and TypeScript importers share it", async () => {
    const p = await parsers();
    const modules = new ModuleMirrors();
    const resolve = createImportResolver([WORKSPACE]);
    const fromJs = analyzeSource({ file: { path: TYPED_MODEL, language: 'javascript', text: readFileSync(TYPED_MODEL, 'utf8') }, parsers: p, resolveImport: resolve, modules });
    const blocks = readFileSync(TYPED_BLOCKS, 'utf8');
    const mirror = modules.get(p.typescript!, TYPED_BLOCKS, blocks);
    assert.ok(mirror, 'blocks.ts is mirrored from the TypeScript grammar although model.js imported it');
    assert.equal(modules.get(p.javascript!, TYPED_BLOCKS, blocks), undefined);
    const tsModel = join(WORKSPACE, 'tfjs', 'typed', 'model.ts');
    const fromTs = analyzeSource({ file: { path: tsModel, language: 'typescript', text: readFileSync(TYPED_MODEL, 'utf8') }, parsers: p, resolveImport: resolve, modules });
    assert.equal(fromTs.models[0].equation.text, fromJs.models[0].equation.text);
    assert.equal(modules.get(p.typescript!, TYPED_BLOCKS, blocks), mirror, 'the TypeScript importer reused the mirror');
  });

  it('survives an import cycle and a resolver that throws', async () => {
    const cyclic = virtual({ './blocks.js': "import { denseBlock } from './blocks.js';\nimport { mlp } from './model.js';\nexport function denseBlock(u) { return denseBlock(u); }\n" });
    assert.equal((await analyzeFile(TFJS_MODEL, 'javascript', cyclic)).models.length, 3);
    const throwing: ImportResolver = () => {
      throw new Error('disk on fire');
    };
    assert.equal((await analyzeFile(TFJS_MODEL, 'javascript', throwing)).models.length, 3);
  });
});

describe('the JavaScript and TypeScript import resolver', () => {
  const files = new Set(['/p/src/blocks.ts', '/p/src/layers/index.js', '/p/src/heads.cjs', '/p/node_modules/pkg/index.js']);
  const read = (path: string) => (files.has(path) ? { path, text: '' } : undefined);

  it("finds `./blocks.js` as blocks.ts (TypeScript's ESM convention), a folder's index, and a written extension", () => {
    assert.equal(resolveJsModule('./blocks.js', '/p/src/model.ts', read)?.path, '/p/src/blocks.ts');
    assert.equal(resolveJsModule('./blocks', '/p/src/model.ts', read)?.path, '/p/src/blocks.ts');
    assert.equal(resolveJsModule('./layers', '/p/src/model.ts', read)?.path, '/p/src/layers/index.js');
    assert.equal(resolveJsModule('../src/heads.cjs', '/p/src/model.js', read)?.path, '/p/src/heads.cjs');
  });

  it('never looks a package up, and gives undefined for a missing file', () => {
    assert.equal(resolveJsModule('pkg', '/p/src/model.js', read), undefined);
    assert.equal(resolveJsModule('@tensorflow-models/mobilenet', '/p/src/model.js', read), undefined);
    assert.equal(resolveJsModule('./missing', '/p/src/model.js', read), undefined);
  });

  it('is what createImportResolver uses for a JavaScript or TypeScript importing file', () => {
    const resolver = createImportResolver([WORKSPACE]);
    assert.equal(resolver('./blocks.js', TFJS_MODEL)?.path, join(WORKSPACE, 'tfjs', 'blocks.js'));
    assert.equal(resolver('./heads', TFJS_MODEL)?.path, join(WORKSPACE, 'tfjs', 'heads.cjs'));
    assert.equal(resolver('.blocks', KERAS_NET)?.path, join(WORKSPACE, 'keras_models', 'blocks.py'));
  });
});

describe('model-audit check follows Keras and TF.js imports', () => {
  it('prints the imported blocks inside the equations and the collapse at the call in the model file', async () => {
    let out = '';
    const code = await runCli(['check', 'keras_models/net.py', 'tfjs/model.js'], { cwd: WORKSPACE, out: (s) => (out += s), err: () => undefined });
    assert.equal(code, 1, 'the two MA001 warnings fail the default --fail-on warning');
    assert.match(out, /build_cnn \(keras, line 11\)\n {4}y = softmax\(W₄·avgpool\(h₁ \+ W₃∗ReLU\(W₂∗h₁ \+ b₂\) \+ b₃\) \+ b₄\), where h₁ = ReLU\(BN\(W₁∗x\)\)/);
    assert.match(out, /keras_models\/net\.py:22:5: warning MA001 dense_1 and dense_2 compose into one linear map 128→10/);
    assert.match(out, /buildCnn \(tfjs, line 17\)\n {4}y = softmax\(W₄·ReLU\(W₃·flatten\(maxpool\(ReLU\(W₂∗ReLU\(W₁∗x \+ b₁\) \+ b₂\)\)\) \+ b₃\) \+ b₄\)/);
    assert.match(out, /tfjs\/model\.js:12:5: warning MA001 dense_2 and dense_3 compose into one linear map 128→10/);
    assert.match(out, /2 files, 8 models: 0 errors, 2 warnings/);
  });

  it('reads a TypeScript block imported by a JavaScript model', async () => {
    let out = '';
    const code = await runCli(['check', 'tfjs/typed/model.js', '--show-hints'], { cwd: WORKSPACE, out: (s) => (out += s), err: () => undefined });
    assert.equal(code, 0, out);
    assert.match(out, /tabular \(tfjs, line 5\)\n {4}y = softmax\(W₃·dropout\(tanh\(W₂·ReLU\(W₁x \+ b₁\) \+ b₂\)\) \+ b₃\)\n/);
    assert.doesNotMatch(out, /MA000/, 'no part of the imported block is opaque');
  });
});

// Keras and TF.js layouts and idioms: a convolution's input width comes from the channel axis of its input
// (last by default, first with data_format='channels_first' / dataFormat: 'channelsFirst'), MA004 reads channels on
// that axis, and findings name their fixes in the model's framework (layers.Flatten(), tf.layers.flatten(),
// use_bias=False, axis, `__init__` and `call`), never in PyTorch's when the model is not PyTorch.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import type { Language } from '../../server/src/core/graph';
import { applyEdits } from '../helpers/edits';
import { parsers } from '../helpers/parsers';

const DIR = join(__dirname, '..', 'fixtures', 'models');

async function analyze(text: string, language: Language): Promise<FileAnalysis> {
  return analyzeSource({ file: { path: `x.${language === 'python' ? 'py' : language === 'typescript' ? 'ts' : 'js'}`, language, text }, parsers: await parsers() });
}

async function analyzeFixture(file: string): Promise<FileAnalysis> {
  const language: Language = file.endsWith('.py') ? 'python' : file.endsWith('.ts') ? 'typescript' : 'javascript';
  return analyze(readFileSync(join(DIR, file), 'utf8'), language);
}

const widths = (analysis: FileAnalysis) => analysis.models[0].graph.nodes.filter((n) => n.category === 'affine').map((n) => `${n.attrs.in}→${n.attrs.out}`);

describe('Keras and TF.js convolution widths', () => {
  it('reads the input channels of a Sequential from input_shape=, from an Input(shape=…) item and from TF.js inputShape', async () => {
    const fromInputShape = "from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Conv2D(16, 3, input_shape=(28, 28, 1)), layers.Conv2D(32, 3)])\n";
    assert.deepEqual(widths(await analyze(fromInputShape, 'python')), ['1→16', '16→32']);
    const fromInputItem = "from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(64, 64, 3)), keras.layers.Conv2DTranspose(8, 3), keras.layers.SeparableConv2D(4, 3)])\n";
    assert.deepEqual(widths(await analyze(fromInputItem, 'python')), ['3→8', '8→4']);
    const tfjs = "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [100, 12], filters: 24, kernelSize: 5 }), tf.layers.conv1d({ filters: 6, kernelSize: 3 })] });\n";
    assert.deepEqual(widths(await analyze(tfjs, 'javascript')), ['12→24', '24→6']);
  });

  it('honours data_format / dataFormat: channels first reads the first axis', async () => {
    const keras = "from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Conv2D(16, 3, data_format='channels_first', input_shape=(3, 28, 28))])\n";
    const [model] = (await analyze(keras, 'python')).models;
    assert.deepEqual(model.graph.nodes.map((n) => n.shape), [[3, 28, 28], [16, 26, 26]]);
    assert.deepEqual(widths(await analyze(keras, 'python')), ['3→16']);
    const tfjs = "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [1, 28, 28], dataFormat: 'channelsFirst', filters: 8, kernelSize: 3 })] });\n";
    assert.deepEqual(widths(await analyze(tfjs, 'javascript')), ['1→8']);
    assert.deepEqual(widths(await analyzeFixture('keras_legacy_channels_first.py')).slice(0, 2), ['1→32', '32→16'], 'K.set_image_data_format(\'channels_first\') switches every layer');
  });

  it("gives a depthwise convolution its input's width", async () => {
    assert.deepEqual(widths(await analyzeFixture('keras_mobilenet_depthwise.py')), ['3→16', '16→16', '16→32', '32→32', '32→64', '64→128', '128→4']);
  });

  it('says the widths in MA001 instead of ?→16', async () => {
    const text = "from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Conv2D(16, 3, input_shape=(28, 28, 1)), layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(10)])\n";
    const messages = (await analyze(text, 'python')).findings.filter((f) => f.code === 'MA001').map((f) => f.message);
    assert.match(messages[0], /conv2d and conv2d_1 compose into one linear map 1→16: there is no activation after conv2d \(1→16\)/);
    assert.ok(messages.every((m) => !m.includes('?')), messages.join('\n'));
  });
});

describe('MA004 in channels-last layouts', () => {
  it('stays silent on channels-last images whose height is not their channel count (a conv reads the last axis)', async () => {
    for (const file of ['keras2_legacy_cnn.py', 'keras_functional_resnet.py', 'tfjs_cnn.ts', 'tfjs_conv_stack_bug.js', 'keras_channels_first_cnn.py', 'tfjs_channels_first.ts', 'keras_mobilenet_depthwise.py']) {
      assert.deepEqual((await analyzeFixture(file)).findings.filter((f) => f.code === 'MA004').map((f) => f.message), [], file);
    }
  });

  it('flags a channels-first input shape given to a channels-last conv, naming the fix in the framework', async () => {
    const [keras] = (await analyzeFixture('keras_channels_first_input.py')).findings.filter((f) => f.code === 'MA004');
    assert.match(keras.message, /the input shape 3×32×32 puts 3 channels first: it sees a 3×32 image with 32 channels\. Declare the shape channels-last \(32, 32, 3\), or construct conv2d with data_format='channels_first'\./);
    const [tfjs] = (await analyzeFixture('tfjs_channels_first_input_bug.js')).findings.filter((f) => f.code === 'MA004');
    assert.match(tfjs.message, /dataFormat: 'channelsFirst'/);
  });

  it('flags a layer applied to a second input with other channels than the one it was built on', async () => {
    const [finding] = (await analyzeFixture('tfjs_shared_conv_channels.js')).findings.filter((f) => f.code === 'MA004');
    assert.equal(finding.message, 'conv2d expects 3 input channels but receives 1 from depth.');
    const text = "from tensorflow import keras\nfrom tensorflow.keras import layers\na = keras.Input(shape=(8,))\nb = keras.Input(shape=(4,))\nshared = layers.Dense(2)\nm = keras.Model([a, b], layers.add([shared(a), shared(layers.Dense(3)(b))]))\n";
    assert.deepEqual((await analyze(text, 'python')).findings.filter((f) => f.code === 'MA004').map((f) => f.message), ['dense expects 8 input features but receives 3 from dense_1.']);
  });
});

describe('findings in the framework’s idiom', () => {
  it('MA004 suggests layers.Flatten() for Keras, tf.layers.flatten() for TF.js and torch.flatten for PyTorch', async () => {
    const keras = (await analyzeFixture('keras_cnn_no_flatten.py')).findings.find((f) => f.code === 'MA004')!;
    assert.match(keras.message, /a Dense layer acts on the last axis only\. Flatten it first \(layers\.Flatten\(\)\)\.$/);
    const tfjs = (await analyzeFixture('tfjs_cnn_no_flatten.js')).findings.find((f) => f.code === 'MA004')!;
    assert.match(tfjs.message, /a dense layer acts on the last axis only\. Flatten it first \(tf\.layers\.flatten\(\)\)\.$/);
    for (const f of [keras, tfjs]) assert.doesNotMatch(f.message, /torch|nn\.|Linear/);
    const pytorch = (await analyzeFixture('pt_cnn_no_flatten.py')).findings.find((f) => f.code === 'MA004')!;
    assert.match(pytorch.message, /Flatten it first \(torch\.flatten\(x, 1\) or nn\.Flatten\(\)\)/);
  });

  it('spells Flatten as the Keras file imports it', async () => {
    const body = 'model = Sequential([Conv2D(8, 3, input_shape=(16, 16, 1)), Dense(4)])\n';
    const direct = await analyze(`from keras.models import Sequential\nfrom keras.layers import Conv2D, Dense, Flatten\n${body}`, 'python');
    assert.match(direct.findings.find((f) => f.code === 'MA004')!.message, /\(Flatten\(\)\)/);
    const viaTf = await analyze(`import tensorflow as tf\nSequential = tf.keras.Sequential\nConv2D = tf.keras.layers.Conv2D\nDense = tf.keras.layers.Dense\nmodel = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(16, 16, 1)), tf.keras.layers.Dense(4)])\n`, 'python');
    assert.match(viaTf.findings.find((f) => f.code === 'MA004')!.message, /\(tf\.keras\.layers\.Flatten\(\)\)/);
    const tfjsNamed = await analyze("import { layers, sequential } from '@tensorflow/tfjs';\nconst m = sequential({ layers: [layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3 }), layers.dense({ units: 2 })] });\n", 'javascript');
    assert.match(tfjsNamed.findings.find((f) => f.code === 'MA004')!.message, /\(layers\.flatten\(\)\)/);
  });

  it('MA008 says use_bias=False in Keras and useBias: false in TF.js, and its fix writes that', async () => {
    const cases: [string, Language, RegExp, RegExp][] = [
      ["from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Conv2D(8, 3, input_shape=(16, 16, 3)), layers.BatchNormalization(), layers.ReLU()])\n", 'python', /Construct conv2d with use_bias=False\.$/, /layers\.Conv2D\(8, 3, input_shape=\(16, 16, 3\), use_bias=False\)/],
      ["from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Dense(8, use_bias=True, input_shape=(4,)), layers.BatchNormalization()])\n", 'python', /Construct dense with use_bias=False\.$/, /layers\.Dense\(8, use_bias=False, input_shape=\(4,\)\)/],
      ["import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 8 }), tf.layers.batchNormalization(), tf.layers.reLU()] });\n", 'javascript', /Construct dense with useBias: false\.$/, /tf\.layers\.dense\(\{ inputShape: \[4\], units: 8, useBias: false \}\)/],
    ];
    for (const [text, language, message, fixed] of cases) {
      const finding = (await analyze(text, language)).findings.find((f) => f.code === 'MA008')!;
      assert.match(finding.message, message);
      const after = applyEdits(text, finding.fixes![0].edits);
      assert.match(after, fixed);
      assert.deepEqual((await analyze(after, language)).findings.filter((f) => f.code === 'MA008'), []);
    }
  });

  it('MA009 names axis, not dim, for a Keras softmax over the batch', async () => {
    const text = 'import tensorflow as tf\nfrom tensorflow import keras\ninp = keras.Input(shape=(10,))\nm = keras.Model(inp, tf.nn.softmax(keras.layers.Dense(3)(inp), axis=0))\n';
    const finding = (await analyze(text, 'python')).findings.find((f) => f.code === 'MA009')!;
    assert.match(finding.message, /^softmax over axis 0, the batch dimension: .* \(axis=1 or axis=-1\)\.$/);
  });

  it('MA002 says `__init__` and `call` for a subclassed Keras model', async () => {
    const finding = (await analyzeFixture('keras_subclassed_unused_dropout.py')).findings.find((f) => f.code === 'MA002')!;
    assert.match(finding.message, /is built in `__init__` but never applied in `call`:/);
  });

  it('MT001 spells the TF.js fit option as TF.js does', async () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });\nawait m.fit(xs, ys, { epochs: 5, shuffle: false });\n";
    const finding = (await analyze(text, 'javascript')).findings.find((f) => f.code === 'MT001')!;
    assert.match(finding.message, /^fit\(…, \{ shuffle: false \}\) trains on the batches in the same order every epoch/);
  });
});

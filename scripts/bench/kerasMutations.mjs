// Planted bugs for `npm run bench:corpus` in Keras, TensorFlow.js and TensorFlow 1 code (mutations.mjs holds the
// PyTorch ones and the shared helpers). Each rewrites the real source in memory at sites read from the clean
// analysis, keeping the line count:
//   - a load-bearing `activation='relu'` (Keras, `activation: 'relu'` in TF.js) becomes 'linear', and a TF1
//     `tf.layers` call's `activation=tf.nn.relu` becomes None: the layers around it collapse (MA001);
//   - a TF1 `tf.nn.relu(expr)` (or any activation call written around its input) becomes `expr` (MA001);
//   - `shuffle=True` in a Keras `fit` (`shuffle: true` in TF.js) becomes False: the training data is no longer
//     shuffled (MT001). Deleting it would plant nothing, since both frameworks shuffle by default.

import { firstArgument, lineStarts, loadBearingActivations, offsetOf, splice } from './mutations.mjs';

/** The clean analysis with only the models of `frameworks`. */
function only(analysis, frameworks) {
  return { ...analysis, models: analysis.models.filter((m) => frameworks.includes(m.graph.framework)) };
}

/** `activation='relu'` → `activation='linear'`; TF1's `activation=tf.nn.relu` → `activation=None`. */
function linearActivation({ text, analysis }) {
  const starts = lineStarts(text);
  const sites = [];
  const done = new Set();
  const frameworkOf = new Map(analysis.models.map((m) => [m.graph.name, m.graph.framework]));
  for (const { model, node } of loadBearingActivations(only(analysis, ['keras', 'tfjs', 'tf1']))) {
    const from = offsetOf(starts, node.range.start);
    const to = offsetOf(starts, node.range.end);
    if (done.has(from) || to <= from) continue;
    const written = text.slice(from, to);
    // Only the value of an activation option: the text just before it names the option.
    const before = text.slice(Math.max(0, from - 20), from);
    if (!/activation(_fn)?\s*[=:]\s*$/.test(before)) continue;
    let replacement;
    if (/^(['"])[A-Za-z_]+\1$/.test(written)) replacement = `${written[0]}linear${written[0]}`;
    else if (/^[\w.]+$/.test(written)) replacement = frameworkOf.get(model) === 'tfjs' ? "'linear'" : 'None';
    if (!replacement) continue;
    done.add(from);
    sites.push({ line: node.range.start.line, mutated: splice(text, from, to, replacement), what: `activation ${written} → ${replacement}` });
  }
  return sites;
}

/** `tf.nn.relu(expr)` → `expr`, for activations applied as calls around their input in TF1 graphs. */
function removeActivationCall({ text, analysis }) {
  const starts = lineStarts(text);
  const sites = [];
  const done = new Set();
  for (const { node } of loadBearingActivations(only(analysis, ['tf1']))) {
    const from = offsetOf(starts, node.range.start);
    const to = offsetOf(starts, node.range.end);
    if (done.has(from) || to <= from) continue;
    const written = text.slice(from, to);
    if (!/^[\w.]+\(/.test(written)) continue;
    const call = firstArgument(text, from, to);
    if (!call || call.close !== to - 1 || call.end <= call.start) continue;
    const mutated = splice(text, from, to, text.slice(call.start, call.end));
    if (lineStarts(mutated).length !== starts.length) continue;
    done.add(from);
    sites.push({ line: node.range.start.line, mutated, what: `removed ${written.replace(/\s+/g, ' ').slice(0, 60)}` });
  }
  return sites;
}

/** `shuffle=True` → `shuffle=False` (Python) and `shuffle: true` → `shuffle: false` (JavaScript). */
function shuffleOff({ text }) {
  const sites = [];
  for (const match of text.matchAll(/\bshuffle\s*=\s*True\b|\bshuffle\s*:\s*true\b/g)) {
    const by = match[0].replace(/True$/, 'False').replace(/true$/, 'false');
    sites.push({ line: text.slice(0, match.index).split('\n').length - 1, mutated: splice(text, match.index, match.index + match[0].length, by), what: `${match[0]} → ${by}` });
  }
  return sites;
}

export const KERAS_MUTATIONS = [
  { id: 'linear-activation', frameworks: ['keras', 'tfjs', 'tf1'], title: "activation='relu' → 'linear' (TF1: None)", sites: linearActivation },
  { id: 'tf1-remove-activation', frameworks: ['tf1'], title: 'tf.nn.relu(x) → x', sites: removeActivationCall },
  { id: 'shuffle-off', frameworks: ['keras', 'tfjs'], title: 'fit shuffle=True → False', sites: shuffleOff },
];

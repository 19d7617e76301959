// Planted bugs for `npm run bench:corpus`: each mutation rewrites real source text in memory (nothing is written
// anywhere) at sites found deterministically, so that the benchmark can count how many of them Model Audit flags
// within a few lines. A mutation keeps the file's line count, so a finding's line in the mutated file can be
// compared with the clean file's findings line for line.
//
// To add a framework's mutations, append objects of this shape to MUTATIONS (or export your own list and concat):
//   { id: 'keras-remove-activation', frameworks: ['keras'], title: '…',
//     sites: ({ path, text, analysis }) => [{ line, mutated, what }] }
// `analysis` is the clean file's FileAnalysis (models with their graphs, findings); `line` is 0-based; `mutated` is
// the whole file's new text; `what` says in a few words what changed (printed with --verbose).

import { isAffine, preservesLinearity } from '../../server/src/core/linearChains.ts';

// ----- text helpers -----

/** Offsets of each line's first character. */
export function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetOf(starts, position) {
  return (starts[position.line] ?? 0) + position.character;
}

/** The text of `[from, to)` replaced by `by`. */
export function splice(text, from, to, by) {
  return text.slice(0, from) + by + text.slice(to);
}

/**
 * For a call written `callee(first, …)` starting at `from`, the offsets of its first argument (trimmed) and of its
 * closing parenthesis; undefined when the text is not a call. Strings and nested brackets are skipped.
 */
export function firstArgument(text, from, to) {
  const open = text.indexOf('(', from);
  if (open < 0 || open >= to) return undefined;
  let depth = 0;
  let quote;
  let argEnd;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const end = argEnd ?? i;
        const arg = text.slice(open + 1, end);
        const lead = arg.length - arg.trimStart().length;
        return { start: open + 1 + lead, end: open + 1 + arg.trimEnd().length, close: i };
      }
    } else if (c === ',' && depth === 1 && argEnd === undefined) argEnd = i;
  }
  return undefined;
}

/** A statement line replaced by `pass` at its indentation: the statement is gone, the block still parses. */
export function replaceLineWithPass(text, starts, line) {
  const from = starts[line];
  const to = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  const indent = /^[ \t]*/.exec(text.slice(from, to))[0];
  return splice(text, from, to, `${indent}pass`);
}

// ----- graph helpers -----

/**
 * Activations of the clean graphs that stand alone between two affine maps: removing one lets the affine maps
 * compose through linearity-preserving ops only (dropout, reshapes, batch norm, average pooling), which is the
 * missing-activation bug. An activation before a max pool or an attention product is left out: removing it is a
 * change, not a collapse. Ops written in another file (`origin`) are left out, since only this file is mutated.
 */
export function loadBearingActivations(analysis) {
  const found = [];
  for (const model of analysis.models) {
    const graph = model.graph;
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const users = new Map();
    for (const n of graph.nodes) for (const i of n.inputs) users.set(i, [...(users.get(i) ?? []), n]);
    const reaches = (start, next) => {
      const seen = new Set();
      const queue = [...start];
      while (queue.length > 0) {
        const n = queue.shift();
        if (!n || seen.has(n.id)) continue;
        seen.add(n.id);
        if (isAffine(n)) return true;
        if (preservesLinearity(n)) queue.push(...next(n));
      }
      return false;
    };
    for (const n of graph.nodes) {
      if (n.category !== 'activation' || n.origin) continue;
      const before = reaches(n.inputs.map((i) => byId.get(i)), (m) => m.inputs.map((i) => byId.get(i)));
      const after = reaches(users.get(n.id) ?? [], (m) => users.get(m.id) ?? []);
      if (before && after) found.push({ model: model.graph.name, node: n });
    }
  }
  return found;
}

// ----- the mutations -----

const TORCH_ACTIVATION_MODULE = /^(?:torch\.)?nn\.(ReLU6?|LeakyReLU|PReLU|RReLU|ELU|SELU|CELU|GELU|SiLU|Mish|Tanh|Sigmoid|Hardtanh|Hardswish|Hardsigmoid|Softplus|Softsign|Tanhshrink|Threshold|GLU)\s*\(/;

const FUNCTIONAL_ACTIVATION = /^(?:F|torch|torch\.nn\.functional|nn\.functional)\.(relu6?|leaky_relu|elu|selu|celu|gelu|silu|mish|tanh|sigmoid|hardtanh|hardswish|softplus|softsign|glu)_?\s*\(/;

/** A constructor deleted from where it is written: an element of a list or call (with its comma), or `layers.append(…)`. */
function deleteConstructor(text, starts, from, to) {
  const before = text.slice(0, from);
  const after = text.slice(to);
  const line = before.split('\n').length - 1;
  if (/\.append\(\s*$/.test(before) && /^\s*\)\s*(#.*)?(\n|$)/.test(after)) return replaceLineWithPass(text, starts, line);
  const comma = /^\s*,/.exec(after);
  if (comma) return splice(text, from, to + comma[0].length, '');
  const lead = /,\s*$/.exec(before);
  if (lead) return splice(text, from - lead[0].length, to, '');
  return undefined;
}

/**
 * Removes an activation: a functional call `F.relu(x)` or a module call `self.act(x)` becomes `x`; a constructor
 * applied through its container (`nn.ReLU()` in a Sequential, `layers.append(nn.ReLU())` in a block helper) is
 * deleted where it is written.
 */
function removeActivation({ text, analysis }) {
  const starts = lineStarts(text);
  const sites = [];
  const done = new Set();
  const slice = (range) => text.slice(offsetOf(starts, range.start), offsetOf(starts, range.end));
  for (const { node } of loadBearingActivations(analysis)) {
    const from = offsetOf(starts, node.range.start);
    const to = offsetOf(starts, node.range.end);
    if (to <= from) continue;
    const written = slice(node.range);
    const defined = node.defRange ? slice(node.defRange) : undefined;
    const call = firstArgument(text, from, to);
    const isCall = call && call.close === to - 1 && call.end > call.start;
    let edit;
    if (FUNCTIONAL_ACTIVATION.test(written) && isCall) edit = { at: from, mutated: splice(text, from, to, text.slice(call.start, call.end)), line: node.range.start.line, what: written };
    else if (TORCH_ACTIVATION_MODULE.test(written)) edit = { at: from, mutated: deleteConstructor(text, starts, from, to), line: node.range.start.line, what: written };
    else if (defined && TORCH_ACTIVATION_MODULE.test(defined) && isCall && node.module && written.startsWith(`self.${node.module}(`)) {
      edit = { at: from, mutated: splice(text, from, to, text.slice(call.start, call.end)), line: node.range.start.line, what: written };
    } else if (defined && TORCH_ACTIVATION_MODULE.test(defined)) {
      const at = offsetOf(starts, node.defRange.start);
      // An activation module assigned to an attribute and called elsewhere is removed at the call, not here.
      if (!/=\s*$/.test(text.slice(starts[node.defRange.start.line], at))) edit = { at, mutated: deleteConstructor(text, starts, at, offsetOf(starts, node.defRange.end)), line: node.defRange.start.line, what: defined };
    }
    if (!edit || edit.mutated === undefined || done.has(edit.at) || lineStarts(edit.mutated).length !== starts.length) continue;
    done.add(edit.at);
    sites.push({ line: edit.line, mutated: edit.mutated, what: `removed ${edit.what.replace(/\s+/g, ' ').slice(0, 60)}` });
  }
  return sites;
}

/** Replaces an activation module's constructor with `nn.Identity()`. */
function identityActivation({ text, analysis }) {
  const starts = lineStarts(text);
  const sites = [];
  const done = new Set();
  for (const { node } of loadBearingActivations(analysis)) {
    for (const range of [node.defRange, node.range]) {
      if (!range) continue;
      const from = offsetOf(starts, range.start);
      const to = offsetOf(starts, range.end);
      const written = text.slice(from, to);
      const match = TORCH_ACTIVATION_MODULE.exec(written);
      if (!match || done.has(from)) continue;
      done.add(from);
      const call = firstArgument(text, from, to);
      if (!call || call.close !== to - 1) continue;
      const prefix = written.startsWith('torch.') ? 'torch.nn' : 'nn';
      const mutated = splice(text, from, to, `${prefix}.Identity()`);
      sites.push({ line: range.start.line, mutated, what: `${match[1]} → Identity` });
      break;
    }
  }
  return sites;
}

/** Statement lines matching `pattern` (ignoring comments), each replaced by `pass`. */
function statementSites(pattern, what) {
  return ({ text }) => {
    const starts = lineStarts(text);
    const lines = text.split('\n');
    const sites = [];
    lines.forEach((line, i) => {
      if (pattern.test(line)) sites.push({ line: i, mutated: replaceLineWithPass(text, starts, i), what });
    });
    return sites;
  };
}

/** `shuffle=True` (an argument or a `'shuffle': True` dict entry) deleted with its comma. */
function dropShuffle({ text }) {
  const sites = [];
  const pattern = /(,\s*)?(?:\bshuffle\s*=\s*True|['"]shuffle['"]\s*:\s*True)(\s*,)?/g;
  for (const match of text.matchAll(pattern)) {
    // Keep one comma when the argument sat between two others.
    const by = match[1] && match[2] ? ',' : '';
    const mutated = splice(text, match.index, match.index + match[0].length, by);
    if (lineStarts(mutated).length !== lineStarts(text).length) continue;
    const at = match.index + (match[1]?.length ?? 0);
    sites.push({ line: text.slice(0, at).split('\n').length - 1, mutated, what: 'shuffle=True removed' });
  }
  return sites;
}

/** Whether a model behaves differently in training mode (dropout, batch norm); eval() matters only then. */
function modeDependent(graph) {
  return graph.nodes.some((n) => n.category === 'regularization' || n.op === 'batch_norm') || graph.layers.some((l) => l.category === 'regularization' || l.op === 'batch_norm');
}

/**
 * `model.eval()` removed, in files whose models (when the file defines any) have dropout or batch norm: for a model
 * with neither, eval() changes nothing and removing it is no bug.
 */
function dropEval(context) {
  const { analysis } = context;
  if (analysis.models.length > 0 && !analysis.models.some((m) => modeDependent(m.graph))) return [];
  return statementSites(/^\s*[\w.[\]]+\.eval\(\)\s*(#.*)?$/, 'eval() removed')(context);
}

export const MUTATIONS = [
  { id: 'remove-activation', frameworks: ['pytorch'], title: 'activation removed', sites: removeActivation },
  { id: 'identity-activation', frameworks: ['pytorch'], title: 'activation module → nn.Identity()', sites: identityActivation },
  { id: 'drop-zero-grad', frameworks: ['pytorch'], title: 'optimizer.zero_grad() removed', sites: statementSites(/^\s*[\w.[\]]+\.zero_grad\([^)]*\)\s*(#.*)?$/, 'zero_grad() removed') },
  { id: 'drop-eval', frameworks: ['pytorch'], title: 'model.eval() removed', sites: dropEval },
  { id: 'drop-shuffle', frameworks: ['pytorch'], title: 'shuffle=True removed', sites: dropShuffle },
];

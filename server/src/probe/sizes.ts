// Gives the sizes the code leaves open concrete values, so a probe can build the model: constructor arguments without
// defaults (`n_features`), config fields (`config.n_embd`), sizes read from a tensor (`C` in `B, T, C = x.size()`)
// and expressions of them (`3·config.n_embd`, `C//config.n_head`). A value the user gives (`--set name=value`, the
// code lens) wins; otherwise the probe picks a small one by what the name says (a vocabulary, a class count, heads,
// a sequence length) and every result states it, so the numbers are read for what they are.

import type { AttrValue, GraphNode, ModelGraph } from '../core/graph';
import { splitPieces } from './attrs';
import { isSpread } from '../core/sizeSpread';

/** One size the probe had to choose or was given. */
export interface SizeAssumption {
  /** The name as the code writes it: `n_classes`, `config.vocab_size`. */
  readonly name: string;
  readonly value: number;
  /** `set`: given with `--set` (or the code lens); `assumed`: chosen by the probe. */
  readonly source: 'set' | 'assumed';
}

export interface ResolvedSizes {
  readonly graph: ModelGraph;
  readonly assumptions: readonly SizeAssumption[];
}

/** The sequence length tokens and sequence inputs get (input shapes use the same). */
export const SEQUENCE_LENGTH = 8;

/** Small values by what a name says; the first pattern that matches the name's last part wins. */
const DEFAULTS: readonly (readonly [RegExp, number])[] = [
  [/^[BN]$|^batch/i, 2],
  [/^T$|^L$|^S$|seq|len|block_size|context|n_ctx|n_positions|max_pos|window/i, SEQUENCE_LENGTH],
  [/vocab|token|n_?words|num_embeddings|n_?chars|alphabet|n_?symbols/i, 64],
  [/head/i, 4],
  [/class|label|n_?out|num_out|output|out_dim|target|action|act_dim/i, 10],
  [/layer|depth|n_?blocks|stack/i, 2],
  [/group/i, 4],
  [/upscale|scale_factor|factor|stride/i, 2],
];
const DEFAULT_SIZE = 32;
/** The attributes that give a layer its widths: when unreadable, they are assumed rather than left to fail. */
const OPEN_WIDTHS = new Set(['in', 'out', 'num_groups', 'num_heads', 'nhead']);

/** Attributes that hold sizes (the rest, such as `dim`, `index` or `label`, are positions or text). */
const SIZE_ATTRS = new Set([
  'in', 'out', 'in_features', 'out_features', 'in_channels', 'out_channels', 'features', 'normalized_shape',
  'num_embeddings', 'embedding_dim', 'hidden_size', 'input_size', 'num_layers', 'embed_dim', 'num_heads', 'd_model',
  'nhead', 'dim_feedforward', 'num_groups', 'num_channels', 'num_features', 'shape', 'unflattened_size', 'kernel',
  'stride', 'padding', 'factor', 'upscale_factor', 'num_parameters', 'units', 'filters', 'size', 'sizes',
]);

export function defaultSize(name: string): number {
  const last = name.split('.').pop() ?? name;
  for (const [pattern, value] of DEFAULTS) if (pattern.test(last)) return value;
  return DEFAULT_SIZE;
}

/**
 * Replaces every size the graph leaves as a name or an expression by a number, and lists the names it resolved. The
 * attributes a node had as names are listed in its `assumed_sizes` attribute, so the builder can let the real tensor
 * sizes win where an assumption and the data flow disagree (`C` read from a tensor against `config.n_embd`).
 */
export function resolveSizes(graph: ModelGraph, given: Readonly<Record<string, number>> = {}): ResolvedSizes {
  const chosen = new Map<string, SizeAssumption>();
  const fitted = new Map([...widthsForSplits(graph), ...widthsForViews(graph)]);
  const paddings = paddingsForConvolutions(graph);
  const lookup = (name: string, fallback?: number): number | undefined => {
    const known = chosen.get(name);
    if (known) return known.value;
    const set = given[name] ?? given[name.split('.').pop() ?? name];
    if (set === undefined && /^\?|^dim\d+$/.test(name)) return undefined;
    const assumption: SizeAssumption = set !== undefined ? { name, value: set, source: 'set' } : { name, value: fallback ?? defaultSize(name), source: 'assumed' };
    chosen.set(name, assumption);
    return assumption.value;
  };
  let changed = false;
  const nodes = graph.nodes.map((node): GraphNode => {
    const attrs: Record<string, AttrValue> = { ...node.attrs };
    const assumed: string[] = [];
    for (const [key, value] of Object.entries(node.attrs)) {
      if (!SIZE_ATTRS.has(key)) continue;
      if (typeof value === 'string') {
        if (/^(same|valid|causal|full|zeros|reflect)$/i.test(value)) continue;
        let n = evaluateSize(value, lookup);
        // A size the code computes in a way the extractor cannot follow (`int(np.prod(img_shape))`, `opt.n_classes`
        // through argparse) is named after its layer, and a layer's input width is left to the data flow.
        if (n === undefined && OPEN_WIDTHS.has(key) && !(key === 'in' && node.op !== 'embedding')) n = lookup(`${node.module ?? `${node.op}@${node.range.start.line + 1}`}.${key === 'in' ? 'num_embeddings' : key === 'out' ? (node.op === 'embedding' ? 'embedding_dim' : 'out_features') : key}`, key === 'out' ? fitted.get(node.id) : undefined);
        if (n !== undefined) {
          attrs[key] = n;
          assumed.push(key);
        }
      } else if (Array.isArray(value) && value.some((d) => typeof d === 'string')) {
        // A view target's first entry is the batch (`B`, `x.size(0)`): it stays as written, the builder drops it.
        const items = (value as readonly (number | string)[]).map((d, i) => {
          if (typeof d !== 'string' || (key === 'shape' && i === 0 && (node.op === 'view' || node.op === 'reshape'))) return d;
          return evaluateSize(d, lookup) ?? d;
        });
        if (items.some((d, i) => d !== value[i])) {
          attrs[key] = items;
          assumed.push(key);
        }
      }
    }
    // `nn.ReflectionPad2d(channels)` with the size unread: the padding that keeps the size through the convolution
    // after it (3 before a 7×7), the usual reason for the pad.
    if (node.op === 'pad' && node.attrs.padding === '?' && paddings.has(node.id)) {
      const n = lookup(`${node.module ?? `pad@${node.range.start.line + 1}`}.padding`, paddings.get(node.id));
      if (n !== undefined) {
        attrs.padding = n;
        assumed.push('padding');
      }
    }
    if (assumed.length === 0) return node;
    changed = true;
    return { ...node, attrs: { ...attrs, assumed_sizes: assumed } };
  });
  // An input's shape written with the same names (`x: [in_features, H, W]` from `ResidualBlock(in_features)`) takes
  // the values its layers got, so a residual `x + block(x)` adds tensors of one size. Spatial and sequence symbols
  // the layers did not name stay for the input resolution to choose.
  const known = (d: string) => evaluateSize(d, (name) => chosen.get(name)?.value);
  for (const [i, node] of nodes.entries()) {
    if (node.category !== 'input' || !node.shape?.some((d) => typeof d === 'string' && known(d) !== undefined)) continue;
    const written = node.shape.map(String).join('×');
    nodes[i] = { ...node, shape: node.shape.map((d) => (typeof d === 'string' ? known(d) ?? d : d)), attrs: { ...node.attrs, written_shape: written } };
    changed = true;
  }
  const assumptions = [...chosen.values()].filter((a) => !/^[BN]$/.test(a.name));
  return { graph: changed ? { ...graph, nodes } : graph, assumptions };
}

/** The side a view target's unreadable sizes get when the probe chooses the width before it (`self.init_size`). */
export const VIEW_SIDE = 4;

/** Ops between a layer and a view that keep the feature width. */
const WIDTH_PRESERVING = new Set(['activation', 'normalization', 'regularization']);

/**
 * Output widths for layers whose width the extractor could not read at all and whose output a view reshapes:
 * `nn.Linear(latent_dim, 128 * self.init_size ** 2)` then `out.view(b, 128, self.init_size, self.init_size)` with
 * `init_size` from argparse. The width is chosen to fill the view: the product of its numbers, with VIEW_SIDE for
 * each size it cannot read either (the builder then reads those back from the tensor).
 */
function widthsForViews(graph: ModelGraph): Map<number, number> {
  const result = new Map<number, number>();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const view of graph.nodes) {
    if ((view.op !== 'view' && view.op !== 'reshape') || !Array.isArray(view.attrs.shape)) continue;
    const target = (view.attrs.shape as readonly AttrValue[]).slice(1);
    if (target.length < 2 || !target.every((d) => typeof d === 'number' ? d > 0 : d === '?')) continue;
    let node = byId.get(view.inputs[0] ?? -1);
    while (node && WIDTH_PRESERVING.has(node.category) && node.inputs.length === 1) node = byId.get(node.inputs[0]!);
    if (!node || (node.op !== 'linear' && node.op !== 'matmul') || node.attrs.out !== '?') continue;
    result.set(node.id, target.reduce<number>((p, d) => p * (typeof d === 'number' ? d : VIEW_SIDE), 1));
  }
  return result;
}

/**
 * Output widths for layers whose width the extractor could not read and whose output is unpacked into k pieces
 * (`query, key, value = self.c_attn(x).split(self.split_size, dim=2)`): k times the default size, so the pieces
 * are equal.
 */
function widthsForSplits(graph: ModelGraph): Map<number, number> {
  const result = new Map<number, number>();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const [source, k] of splitPieces(graph)) {
    if (k < 2) continue;
    // Through steps that keep the width, and views whose target the extractor could not read (`x.view(*shape)`).
    let node = byId.get(source);
    while (node && node.inputs.length === 1 && (WIDTH_PRESERVING.has(node.category) || (node.op === 'view' && Array.isArray(node.attrs.shape) && node.attrs.shape.every((d) => d === '?')))) node = byId.get(node.inputs[0]!);
    if (node && node.attrs.out === '?' && (node.category === 'affine' || node.op === 'matmul')) result.set(node.id, k * DEFAULT_SIZE);
  }
  return result;
}

/** Paddings the extractor could not read, by pad node: half the odd kernel of the unpadded convolution they feed. */
function paddingsForConvolutions(graph: ModelGraph): Map<number, number> {
  const result = new Map<number, number>();
  for (const pad of graph.nodes) {
    if (pad.op !== 'pad' || pad.attrs.padding !== '?') continue;
    const conv = graph.nodes.find((n) => n.inputs[0] === pad.id && /^conv[12]d$/.test(n.op));
    const k = Array.isArray(conv?.attrs.kernel) ? conv?.attrs.kernel[0] : conv?.attrs.kernel;
    if (conv && typeof k === 'number' && k % 2 === 1 && (conv.attrs.padding ?? 0) === 0) result.set(pad.id, (k - 1) / 2);
  }
  return result;
}

/**
 * Evaluates a size expression as the PyTorch frontend writes it: names (dotted), integers, `+ - * · / //` and
 * parentheses, with the usual precedence. Undefined when a name cannot be resolved or the text is not such an
 * expression.
 */
export function evaluateSize(text: string, lookup: (name: string) => number | undefined): number | undefined {
  // `x.size(-2)` reaches here as `dim-2`, a size of some tensor, not `dim` less 2; `x.size(-1) // n_head` as
  // `dim-1//n_head`, which only the live tensor can give. `*shape[:-1]` is several sizes of the input.
  if (/(?:^|[^\w.])dim-?\d+(?![\w.])/.test(text) || isSpread(text.trim())) return undefined;
  const tokens = text.match(/\d+(?:\.\d+)?|[A-Za-z_][\w.]*|\/\/|\*\*|[-+*·/%()^]|\S/g) ?? [];
  let pos = 0;
  let bad = false;
  const peek = () => tokens[pos];
  const primary = (): number => {
    const t = tokens[pos++];
    if (t === undefined) return (bad = true), 0;
    if (t === '(') {
      const v = sum();
      if (tokens[pos++] !== ')') bad = true;
      return v;
    }
    if (t === '-') return -primary();
    if (/^\d/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      const v = lookup(t);
      if (v === undefined) bad = true;
      return v ?? 0;
    }
    bad = true;
    return 0;
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== '^' && peek() !== '**') return base;
    pos++;
    return Math.pow(base, power());
  };
  const product = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '·' || peek() === '/' || peek() === '//' || peek() === '%') {
      const op = tokens[pos++];
      const r = power();
      if (op === '*' || op === '·') v *= r;
      else if (r === 0) bad = true;
      else if (op === '//') v = Math.floor(v / r);
      else if (op === '%') v %= r;
      else v /= r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[pos++] === '+' ? v + product() : v - product();
    return v;
  };
  const value = sum();
  if (bad || pos !== tokens.length || !Number.isFinite(value)) return undefined;
  return Math.max(1, Math.round(value));
}

/** How an assumption reads in a result's notes. */
export function describeAssumption(a: SizeAssumption): string {
  return a.source === 'set' ? `${a.name} set to ${a.value}` : `${a.name} taken as ${a.value} (the code leaves it open; --set ${a.name}=N to choose)`;
}

/** Parses `--set` values: `name=value` with a positive integer value. Throws a one-line message otherwise. */
export function parseSizeSettings(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items.flatMap((i) => i.split(',')).map((i) => i.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][\w.]*)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) <= 0) throw new Error(`--set expects name=value with a positive integer, not \`${item}\``);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

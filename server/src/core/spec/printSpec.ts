// The spec printer: a model graph → `.mspec` text in the contract's notation (`render --format spec`, "Generate
// Spec from Code"). What it prints parses back into a graph that the spec diff finds identical to the code's:
// hidden layers are named (`h1 = relu(Linear(x, 256))`), values read twice are named, everything else is inlined.

import { type AttrValue, type Dim, type GraphNode, ModelGraph } from '../graph';
import { hasParameters } from './alignSpecToGraph';
import { specSpelling } from './specOps';

export interface PrintSpecOptions {
  /** The code file as the spec should name it (relative to where the spec will live). */
  readonly path?: string;
  /** A first comment line, e.g. where the spec came from. */
  readonly comment?: string;
}

const KEYWORDS = new Set(['in', 'to', 'and', 'or', 'not', 'xor', 'mod', 'model', 'input', 'output', 'true', 'false', 'end']);
const MAX_INLINE = 72;

export function printSpec(graph: ModelGraph, options: PrintSpecOptions = {}): string {
  const lines: string[] = [];
  if (options.comment) lines.push(`# ${options.comment}`);
  lines.push(options.path !== undefined ? `model ${graph.name} in "${options.path.replace(/"/g, '\\"')}"` : `model ${graph.name}`);
  lines.push('');
  lines.push(...printModelBody(graph));
  return `${lines.join('\n')}\n`;
}

/** The statements of one model (inputs, assignments, outputs), without the `model` line. */
export function printModelBody(graph: ModelGraph): string[] {
  const consumers = ModelGraph.consumers(graph);
  const outputSet = new Set(graph.outputs);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const text = new Map<number, string>();
  const body: string[] = [];
  const used = new Set<string>();
  const nameFor = (base: string): string => {
    let name = sanitize(base);
    if (used.has(name) || KEYWORDS.has(name)) {
      let i = 1;
      while (used.has(`${name}_${i}`)) i++;
      name = `${name}_${i}`;
    }
    used.add(name);
    return name;
  };

  // Parameterized layers applied at several places share weights: each application says `shared=NAME`.
  const uses = new Map<string, number>();
  for (const n of graph.nodes) if (n.layerId && hasParameters(n)) uses.set(n.layerId, (uses.get(n.layerId) ?? 0) + 1);
  const sharedNames = new Map<string, string>();
  for (const [layerId, count] of uses) if (count > 1) sharedNames.set(layerId, sanitize(layerId.replace(/^shared:/, '')));

  const inputs = graph.nodes.filter((n) => n.category === 'input');
  for (const n of inputs) {
    const name = nameFor(inputs.length === 1 && !n.attrs.name ? 'x' : String(n.attrs.name ?? n.label ?? `x${n.id}`));
    text.set(n.id, name);
    body.push(`input ${name}${n.shape && n.shape.length > 0 ? `: [${n.shape.map(formatDim).join(', ')}]` : ''}`);
  }

  let step = 0;
  const outName = (i: number) => (graph.outputs.length === 1 ? 'y' : `y${i + 1}`);
  const outNames = new Map<number, string>();
  graph.outputs.forEach((id, i) => {
    if (!outNames.has(id) && !inputs.some((n) => n.id === id)) outNames.set(id, nameFor(outName(i)));
  });

  // Repeated structure is written once as a named block and applied with a power: `y = Linear(block^3(h1), 10)`.
  const repeats = findRepeats(graph, sharedNames);
  const skipped = new Set<number>();
  const runByLast = new Map<number, Repeat>();
  for (const r of repeats) {
    for (const id of r.nodes) skipped.add(id);
    skipped.delete(r.last);
    runByLast.set(r.last, r);
  }
  const blockNames = new Map<string, string>();
  const blockLines: string[] = [];
  const argOf = (id: number, operator: boolean) => {
    const t = text.get(id) ?? '?';
    return operator && isOperatorExpr.has(id) ? `(${t})` : t;
  };
  const isOperatorExpr = new Set<number>();

  for (const node of graph.nodes) {
    if (node.category === 'input' || skipped.has(node.id)) continue;
    const run = runByLast.get(node.id);
    let expr: string;
    if (run) {
      let name = blockNames.get(run.body);
      if (!name) {
        name = nameFor(blockNames.size === 0 ? 'block' : `block${blockNames.size + 1}`);
        blockNames.set(run.body, name);
        blockLines.push(`${name}(z) = ${run.body}`);
      }
      expr = `${name}^${run.times}(${argOf(run.entry, false)})`;
    } else {
      // Identity ops leave the value as it is.
      if ((node.op === 'identity' || node.op === 'contiguous') && node.inputs.length === 1 && !outputSet.has(node.id)) {
        text.set(node.id, text.get(node.inputs[0]) ?? '?');
        if (isOperatorExpr.has(node.inputs[0])) isOperatorExpr.add(node.id);
        continue;
      }
      const operator = OPERATORS.has(node.op);
      expr = printOp(node, node.inputs.map((i) => argOf(i, operator)), sharedNames);
    }
    const readers = consumers.get(node.id) ?? [];
    let reader = readers.length === 1 ? byId.get(readers[0]) : undefined;
    // Look through dropout and reshapes: `h1 = relu(…)` then `Linear(dropout(h1, 0.2), 128)` names the activation.
    for (let hops = 0; reader && hops < 16 && (reader.category === 'reshape' || reader.category === 'regularization') && !outputSet.has(reader.id); hops++) {
      const next = consumers.get(reader.id) ?? [];
      reader = next.length === 1 ? byId.get(next[0]) : undefined;
    }
    const hiddenLayer = reader !== undefined && (run !== undefined || (node.category !== 'affine' && node.category !== 'reshape' && node.category !== 'regularization')) &&
      (reader.category === 'affine' || reader.category === 'recurrent' || reader.category === 'attention');
    // A value nothing reads (the code's output was not understood) is still written down, so no op is lost.
    const named = outNames.has(node.id) || readers.length !== 1 || hiddenLayer || expr.length > MAX_INLINE;
    if (named) {
      const name = outNames.get(node.id) ?? nameFor(`h${++step}`);
      body.push(`${name} = ${expr}`);
      text.set(node.id, name);
    } else {
      text.set(node.id, expr);
      if (!run && OPERATORS.has(node.op)) isOperatorExpr.add(node.id);
    }
  }
  const outs = graph.outputs.map((id) => outNames.get(id) ?? text.get(id) ?? '?');
  if (outs.length > 0) body.push(`output ${outs.join(', ')}`);
  // Blocks go before the statements that use them, after the inputs.
  body.splice(inputs.length, 0, ...blockLines);
  return body;
}

const OPERATORS = new Set(['add', 'sub', 'mul', 'scale']);

interface Repeat {
  /** The value the first repetition reads. */
  readonly entry: number;
  /** Every node of every repetition. */
  readonly nodes: readonly number[];
  /** The last repetition's output. */
  readonly last: number;
  readonly times: number;
  /** The block's body with its parameter `z`. */
  readonly body: string;
}

/**
 * Runs of identical blocks in a one-input, one-output graph. The graph is cut where every path passes one node
 * (a cut: no edge jumps over it in evaluation order); the pieces between cuts are printed as expressions of their
 * entry `z`, and a run of pieces (or of groups of up to four pieces) whose expressions are equal becomes `block^k`.
 */
function findRepeats(graph: ModelGraph, shared: ReadonlyMap<string, string>): Repeat[] {
  const inputs = graph.nodes.filter((n) => n.category === 'input');
  if (inputs.length !== 1 || graph.outputs.length !== 1) return [];
  const order = graph.nodes;
  const pos = new Map(order.map((n, i) => [n.id, i]));
  const consumers = ModelGraph.consumers(graph);
  // Every node must lead to the output, or a cut would not separate anything.
  const live = new Set<number>();
  const stack = [...graph.outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const n = graph.nodes.find((x) => x.id === id);
    if (n) stack.push(...n.inputs);
  }
  if (live.size !== order.length) return [];
  // `furthest`: the furthest position an edge from before i reaches; i is a cut when nothing jumps over it.
  let furthest = -1;
  const cuts: number[] = [];
  order.forEach((n, i) => {
    if (i > 0 && furthest <= i) cuts.push(i);
    for (const c of consumers.get(n.id) ?? []) furthest = Math.max(furthest, pos.get(c)!);
  });
  // Pieces: (entry, nodes up to and including the next cut).
  const pieces: { entry: number; nodes: number[]; body?: string; params: boolean }[] = [];
  let entryPos = 0;
  for (const c of cuts) {
    const ids = order.slice(entryPos + 1, c + 1).map((n) => n.id);
    pieces.push({ entry: order[entryPos].id, nodes: ids, params: false });
    entryPos = c;
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  /** The nodes as one expression of `z`, when every inner value is read once (else it cannot be one expression). */
  const bodyOf = (entry: number, ids: readonly number[]): string | undefined => {
    const local = new Map<number, string>([[entry, 'z']]);
    const operatorExpr = new Set<number>();
    const last = ids[ids.length - 1];
    for (const id of ids) {
      const n = byId.get(id)!;
      if (n.op === 'opaque' || n.category === 'input') return undefined;
      if (id !== last && (consumers.get(id)?.length ?? 0) !== 1) return undefined;
      if (n.inputs.some((i) => !local.has(i))) return undefined;
      const operator = OPERATORS.has(n.op);
      local.set(id, printOp(n, n.inputs.map((i) => (operator && operatorExpr.has(i) ? `(${local.get(i)})` : local.get(i)!)), shared));
      if (operator) operatorExpr.add(id);
    }
    return local.get(last);
  };
  for (const piece of pieces) piece.params = piece.nodes.some((id) => hasParameters(byId.get(id)!));

  const repeats: Repeat[] = [];
  let i = 0;
  while (i < pieces.length) {
    let best: { period: number; times: number; body: string } | undefined;
    for (let period = 1; period <= 4 && i + 2 * period <= pieces.length; period++) {
      const group = (start: number) => pieces.slice(start, start + period);
      const body = bodyOf(pieces[i].entry, group(i).flatMap((p) => p.nodes));
      if (body === undefined || !group(i).some((p) => p.params)) continue;
      let times = 1;
      while (i + (times + 1) * period <= pieces.length) {
        const next = group(i + times * period);
        if (bodyOf(next[0].entry, next.flatMap((p) => p.nodes)) !== body) break;
        times++;
      }
      const ops = group(i).reduce((n, p) => n + p.nodes.length, 0);
      if (times >= 2 && (ops >= 2 || times >= 3) && (!best || times * period > best.times * best.period)) best = { period, times, body };
    }
    if (!best) {
      i++;
      continue;
    }
    const covered = pieces.slice(i, i + best.period * best.times);
    repeats.push({ entry: covered[0].entry, nodes: covered.flatMap((p) => p.nodes), last: covered[covered.length - 1].nodes[covered[covered.length - 1].nodes.length - 1], times: best.times, body: best.body });
    i += best.period * best.times;
  }
  return repeats;
}

function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  return s === '' ? 'v' : s;
}

function formatDim(d: Dim): string {
  if (typeof d === 'number') return String(d);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(d) ? d : `"${d.replace(/"/g, "'")}"`;
}

function formatAttr(v: AttrValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const items = v as readonly Dim[];
    if (items.length > 0 && items.every((i) => i === items[0])) return formatDim(items[0]);
    return `[${items.map(formatDim).join(', ')}]`;
  }
  if (typeof v === 'boolean') return String(v);
  return formatDim(v as Dim);
}

function isDefault(v: AttrValue | undefined, d: number): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.every((x) => x === d);
  return v === d;
}

function sameAs(a: AttrValue | undefined, b: AttrValue | undefined): boolean {
  if (a === undefined || a === null) return true;
  const arr = (v: AttrValue | undefined) => (Array.isArray(v) ? v : [v]);
  const x = arr(a);
  const y = arr(b);
  return x.every((v, i) => v === (y[i] ?? y[0]));
}

function printOp(node: GraphNode, args: string[], shared: ReadonlyMap<string, string>): string {
  const a = node.attrs;
  const first = args[0] ?? '?';
  const spelling = specSpelling(node.op);
  const kw: string[] = [];
  const sharedName = node.layerId ? shared.get(node.layerId) : undefined;
  const withShared = () => (sharedName ? [...kw, `shared=${sharedName}`] : kw);
  const call = (name: string, positional: string[]) => `${name}(${[...positional, ...withShared()].join(', ')})`;

  if (node.op === 'linear' || node.op === 'matmul') {
    if (a.bias === false) kw.push('bias=false');
    return call('Linear', a.out !== undefined ? [first, formatAttr(a.out)] : [first]);
  }
  if (/^conv(_transpose)?[123]d$/.test(node.op)) {
    const positional = [first];
    if (a.out !== undefined) positional.push(formatAttr(a.out));
    if (a.kernel !== undefined && a.out !== undefined) positional.push(formatAttr(a.kernel));
    if (!isDefault(a.stride, 1)) kw.push(`stride=${formatAttr(a.stride!)}`);
    if (a.same_padding === true) kw.push('padding="same"');
    else if (!isDefault(a.padding, 0) && typeof a.padding !== 'string') kw.push(`padding=${formatAttr(a.padding!)}`);
    else if (typeof a.padding === 'string' && a.padding !== 'valid') kw.push(`padding="${a.padding}"`);
    if (!isDefault(a.dilation, 1)) kw.push(`dilation=${formatAttr(a.dilation!)}`);
    if (!isDefault(a.groups, 1)) kw.push(`groups=${formatAttr(a.groups!)}`);
    if (a.bias === false) kw.push('bias=false');
    return call(spelling, positional);
  }
  if (node.op === 'embedding') return call('Embedding', [first, ...(a.in !== undefined && a.out !== undefined ? [formatAttr(a.in), formatAttr(a.out)] : [])]);
  if (node.category === 'recurrent') {
    if (a.bidirectional === true) kw.push('bidirectional=true');
    return call(spelling, [first, ...(a.out !== undefined ? [formatAttr(a.out)] : [])]);
  }
  if (/^(max|avg)_pool[123]d$/.test(node.op)) {
    const kernel = a.kernel ?? a.kernel_size;
    if (kernel !== undefined && a.stride !== undefined && a.stride !== null && !sameAs(a.stride, kernel)) kw.push(`stride=${formatAttr(a.stride)}`);
    if (a.same_padding === true) kw.push('padding="same"');
    else if (!isDefault(a.padding, 0) && typeof a.padding !== 'string') kw.push(`padding=${formatAttr(a.padding!)}`);
    return call(spelling, [first, ...(kernel !== undefined ? [formatAttr(kernel)] : [])]);
  }
  if (/^adaptive_/.test(node.op)) {
    if (a.global === true) return `${node.op.startsWith('adaptive_avg') ? 'global_avgpool' : 'global_maxpool'}${node.op.slice(-2)}(${first})`;
    const size = a.kernel ?? a.output_size;
    return call(spelling, [first, ...(size !== undefined ? [formatAttr(size)] : [])]);
  }
  switch (node.op) {
    case 'add':
      return args.join(' + ');
    case 'sub':
      return args.join(' - ');
    case 'mul':
      return args.join(' .* ');
    case 'bmm':
      return `matmul(${args.join(', ')})`;
    case 'concat':
      return `concat(${args.join(', ')}${a.dim !== undefined && a.dim !== null ? `, dim=${formatAttr(a.dim)}` : ''})`;
    case 'scale':
      return typeof a.factor === 'number' ? `${a.factor} * ${first}` : `scale(${first})`;
    case 'dropout':
    case 'alpha_dropout':
      return call(node.op, [first, ...(typeof a.p === 'number' ? [String(a.p)] : [])]);
    case 'flatten':
      return typeof a.start_dim === 'number' && a.start_dim !== 1 ? `flatten(${first}, start_dim=${a.start_dim})` : `flatten(${first})`;
    case 'view':
    case 'reshape':
      return Array.isArray(a.shape) ? `reshape(${first}, ${`[${(a.shape as Dim[]).map(formatDim).join(', ')}]`})` : `reshape(${first})`;
    case 'mean':
    case 'sum':
      return `${node.op}(${first}${a.dim !== undefined && a.dim !== null ? `, dim=${formatAttr(a.dim)}` : ''})`;
    case 'opaque':
      return `opaque(${[`"${(node.label ?? 'f').replace(/"/g, "'").replace(/\s+/g, ' ')}"`, ...args].join(', ')})`;
    default:
      break;
  }
  if (node.category === 'activation' && a.dim !== undefined && a.dim !== null && (node.op === 'softmax' || node.op === 'log_softmax' || node.op === 'softmin' || node.op === 'glu')) {
    return call(spelling, [first]).replace(/\)$/, `, dim=${formatAttr(a.dim)})`);
  }
  return call(spelling, args.length ? args : ['?']);
}

/**
 * A spec for a code file's models: one `model` block per graph, bound to `path`, the first headed by a comment
 * naming the models, the file (`name`) and what wrote it (`origin`: the CLI command, the editor).
 */
export function printSpecFile(graphs: readonly ModelGraph[], binding: { readonly path: string; readonly name: string; readonly origin: string }): string {
  const names = graphs.map((g) => g.name).join(', ');
  const comment = `What ${names} in ${binding.name} compute${graphs.length === 1 ? 's' : ''} (${binding.origin}).`;
  return graphs.map((g, i) => printSpec(g, { path: binding.path, comment: i === 0 ? comment : undefined })).join('\n');
}

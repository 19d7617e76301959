// The spec printer: a model graph → `.mspec` text in the contract's notation (`render --format spec`, "Generate
// Spec from Code"). What it prints parses back into a graph that the spec diff finds identical to the code's:
// hidden layers are named (`h1 = relu(Linear(x, 256))`), values read twice are named, everything else is inlined.

import { type AttrValue, type Dim, type GraphNode, ModelGraph } from '../graph';
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

  for (const node of graph.nodes) {
    if (node.category === 'input') continue;
    const args = node.inputs.map((i) => text.get(i) ?? '?');
    // Identity ops leave the value as it is.
    if ((node.op === 'identity' || node.op === 'contiguous') && args.length === 1 && !outputSet.has(node.id)) {
      text.set(node.id, args[0]);
      continue;
    }
    const expr = printOp(node, args, sharedNames);
    const readers = consumers.get(node.id) ?? [];
    let reader = readers.length === 1 ? byId.get(readers[0]) : undefined;
    // Look through dropout and reshapes: `h1 = relu(…)` then `Linear(dropout(h1, 0.2), 128)` names the activation.
    for (let hops = 0; reader && hops < 16 && (reader.category === 'reshape' || reader.category === 'regularization') && !outputSet.has(reader.id); hops++) {
      const next = consumers.get(reader.id) ?? [];
      reader = next.length === 1 ? byId.get(next[0]) : undefined;
    }
    const hiddenLayer = reader !== undefined && node.category !== 'affine' && node.category !== 'reshape' && node.category !== 'regularization' &&
      (reader.category === 'affine' || reader.category === 'recurrent' || reader.category === 'attention');
    // A value nothing reads (the code's output was not understood) is still written down, so no op is lost.
    const named = outNames.has(node.id) || readers.length !== 1 || hiddenLayer || expr.length > MAX_INLINE;
    if (named) {
      const name = outNames.get(node.id) ?? nameFor(`h${++step}`);
      body.push(`${name} = ${expr}`);
      text.set(node.id, name);
    } else {
      text.set(node.id, needsParens(node) ? `(${expr})` : expr);
    }
  }
  const outs = graph.outputs.map((id) => outNames.get(id) ?? text.get(id) ?? '?');
  if (outs.length > 0) body.push(`output ${outs.join(', ')}`);
  return body;
}

function needsParens(node: GraphNode): boolean {
  return node.op === 'add' || node.op === 'sub' || node.op === 'mul' || node.op === 'scale';
}

function hasParameters(node: GraphNode): boolean {
  return node.category === 'affine' || node.category === 'recurrent' || node.category === 'attention' || node.op === 'embedding' || (node.category === 'normalization' && node.op !== 'normalize');
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

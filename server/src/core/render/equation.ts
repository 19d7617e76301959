// Builds a model's equation as mathjs expression trees from its graph: named steps (h₁ = ReLU(W₁x + b₁)), the
// output, the nested closed form, and the collapsed form where affine maps compose with nothing between them.
// Repeated submodules are defined once (Block(z) = …) and applied by name (Block⁶(x)). The Unicode and LaTeX
// printers render these same trees.

import { type BranchAlternative, type Dim, type GraphNode, ModelGraph, type Range } from '../graph';
import { findDirectChains } from '../linearChains';
import { Ops } from '../ops';
import { type BlockGroup, type BlockInstance, findRepeatedBlocks } from './blocks';
import { type MathNode, mathNodes } from './math';

export interface EquationSymbol {
  /** The symbol's name in the tree: W_1, b_1, W'. */
  readonly name: string;
  readonly kind: 'weight' | 'bias';
  readonly module?: string;
  readonly shape?: readonly Dim[];
  readonly range?: Range;
  /** For a parameter of a repeated block: the block's name; each application has its own copy (or shares one). */
  readonly block?: string;
  /** For a parameter of a repeated block: how many times the block is applied. */
  readonly applications?: number;
  /** For a parameter of a repeated block: true when every application uses this same tensor (one layer reused). */
  readonly shared?: boolean;
}

export interface EquationLine {
  readonly name: string;
  /** For a block's definition: its parameter names, so the line prints as Block(z) = …. */
  readonly params?: readonly string[];
  readonly expr: MathNode;
  /** The graph node whose output this line names. */
  readonly nodeId?: number;
}

export interface Collapse {
  /** The combined weight and bias: W′ = W₃W₂, b′ = W₃b₂ + b₃. */
  readonly definitions: readonly EquationLine[];
  /** The modules that collapse, first to last. */
  readonly modules: readonly string[];
}

/** A repeated submodule, defined once: Block(z) = z + W₂·GELU(W₁·LN(z)). */
export interface BlockDefinition {
  readonly name: string;
  /** The definition in closed form, as a line with parameters. */
  readonly line: EquationLine;
  /** Values the closed form keeps named, in evaluation order. */
  readonly where: readonly EquationLine[];
  /** The definition step by step, ending with the line Block(z) = …. */
  readonly steps: readonly EquationLine[];
  /** How many times the model applies it. */
  readonly applications: number;
  /** The attribute paths of its applications: blocks.0, blocks.1, …. */
  readonly prefixes: readonly string[];
}

export interface Equation {
  /** Repeated submodules, each defined once, inner ones first; empty when nothing repeats. */
  readonly definitions: readonly BlockDefinition[];
  readonly steps: readonly EquationLine[];
  readonly outputs: readonly EquationLine[];
  /** Each output with every step substituted, except values read in several places (residuals), named in `where`. */
  readonly closed: readonly EquationLine[];
  /** The named values the closed form keeps, each in closed form, in evaluation order. */
  readonly where: readonly EquationLine[];
  /** The closed form with collapsing chains replaced by their combined map, when there are any. */
  readonly collapsed?: { readonly lines: readonly EquationLine[]; readonly collapses: readonly Collapse[] };
  readonly symbols: readonly EquationSymbol[];
  /**
   * The model in its other configurations (`if use_bn=False: …`), each with its own closed form; the lines above
   * describe the default one. Absent when the code does not branch on a configuration value.
   */
  readonly alternatives?: readonly AlternativeEquation[];
}

/** The model's equation in another configuration, and which configuration that is. */
export interface AlternativeEquation {
  readonly branch: Omit<BranchAlternative, 'nodes' | 'outputs'>;
  readonly equation: Equation;
}

export interface EquationOptions {
  /** The other models of the same file: a repeated block computed by one of their classes takes its name. */
  readonly library?: readonly ModelGraph[];
}

const PRIMES = ["'", "''", "'''", "''''"];

/** The function name a block application prints as: `block:Name` or, applied n times in a row, `block:Name^n`. */
export function blockFunctionName(name: string, power = 1): string {
  return power > 1 ? `block:${name}^${power}` : `block:${name}`;
}

/** The block a parameter belongs to, for the symbol table. */
interface BlockInfo {
  readonly name: string;
  readonly applications: number;
  /** Every application runs the same layer instances (weight sharing). */
  readonly shared: boolean;
}

/** Weight indices and step names shared by a model's block definitions and its main equation, so none collide. */
class Numbering {
  readonly symbols: EquationSymbol[] = [];
  private readonly layerIndex = new Map<string, number>();
  private nextIndex = 1;
  private nextStep = 1;
  private nextPrime = 0;

  weightIndex(node: GraphNode, block?: BlockInfo): number {
    const key = Numbering.key(node);
    let index = this.layerIndex.get(key);
    if (index === undefined) {
      index = this.nextIndex++;
      this.layerIndex.set(key, index);
      const inDim = node.attrs.in;
      const outDim = node.attrs.out;
      const shape = [outDim, inDim].filter((d): d is Dim => typeof d === 'number' || typeof d === 'string');
      const kernel = Numbering.kernel(node);
      const where = { module: node.module, range: node.defRange ?? node.range, ...(block ? { block: block.name, applications: block.applications, ...(block.shared ? { shared: true } : {}) } : {}) };
      this.symbols.push({ name: `W_${index}`, kind: 'weight', shape: shape.length === 2 ? [...shape, ...kernel] : undefined, ...where });
      if (node.attrs.bias !== false) {
        this.symbols.push({ name: `b_${index}`, kind: 'bias', shape: typeof outDim === 'number' || typeof outDim === 'string' ? [outDim] : undefined, ...where });
      }
    }
    return index;
  }

  /** The index a layer already has, for the collapsed form (which never introduces new layers). */
  existingIndex(node: GraphNode): number | undefined {
    return this.layerIndex.get(Numbering.key(node));
  }

  /**
   * A numbering that continues this one: same indices for the layers numbered so far, new ones after them, and
   * symbols of its own (the model's parameter table lists the default configuration's only).
   */
  fork(): Numbering {
    const copy = new Numbering();
    for (const [key, index] of this.layerIndex) copy.layerIndex.set(key, index);
    copy.nextIndex = this.nextIndex;
    copy.nextStep = this.nextStep;
    copy.nextPrime = this.nextPrime;
    return copy;
  }

  stepName(): string {
    return `h_${this.nextStep++}`;
  }

  prime(): string {
    const p = PRIMES[this.nextPrime] ?? `'${this.nextPrime}`;
    this.nextPrime++;
    return p;
  }

  /** A convolution's kernel size per spatial axis (3×3), so its weight reads out×in×3×3. */
  private static kernel(node: GraphNode): Dim[] {
    const rank = /([123])d$/.exec(node.op);
    if (!rank || node.category !== 'affine') return [];
    const k = node.attrs.kernel;
    if (typeof k === 'number') return Array.from({ length: Number(rank[1]) }, () => k);
    if (Array.isArray(k) && k.length === Number(rank[1])) return [...k];
    return [];
  }

  private static key(node: GraphNode): string {
    return node.layerId ?? `#${node.id}`;
  }
}

export function buildEquation(graph: ModelGraph, options: EquationOptions = {}): Equation {
  const numbering = new Numbering();
  const main = buildWith(graph, options, numbering);
  if (!graph.alternatives || graph.alternatives.length === 0) return main;
  // Each other configuration continues the model's numbering (forked after it), so a layer keeps its W index in
  // every configuration and one only the alternative applies takes the next free one.
  const alternatives = graph.alternatives.map(({ nodes, outputs, ...branch }) => {
    const other: ModelGraph = { ...graph, nodes, outputs, inputs: nodes.filter((n) => n.category === 'input').map((n) => n.id), alternatives: undefined };
    return { branch, equation: buildWith(other, options, numbering.fork()) };
  });
  return { ...main, alternatives };
}

function buildWith(graph: ModelGraph, options: EquationOptions, numbering: Numbering): Equation {
  const groups = findRepeatedBlocks(graph, options.library ?? []);
  if (groups.length === 0) {
    const body = equationOf(graph, numbering, inputNamesOf(graph, 'x'));
    return { definitions: [], ...body, collapsed: collapsedOf(graph, numbering, inputNamesOf(graph, 'x'), outputName(graph)), symbols: numbering.symbols };
  }

  // Each group is defined once from its first application, with the blocks nested in it applied by name. Inner
  // groups are numbered first, so a definition only ever uses names already defined above it.
  const order = [...groups].reverse();
  const definitions: BlockDefinition[] = [];
  const definitionCollapses: { lines: EquationLine[]; collapses: Collapse[] }[] = [];
  for (const group of order) {
    const first = group.instances[0];
    const inner = groups.filter((g) => g !== group);
    const sub = condense(subgraph(graph, first), inner);
    const inputNames = new Map([[first.entry, 'z']]);
    const layersOf = (instance: BlockInstance) => instance.nodes.map((id) => ModelGraph.node(graph, id).layerId).filter((l) => l !== undefined).join('|');
    const block = { name: group.name, applications: group.instances.length, shared: group.instances.every((i) => layersOf(i) === layersOf(first)) };
    const body = equationOf(sub, numbering, inputNames, block);
    const lineName = group.name;
    const closed = body.closed[0];
    const line: EquationLine = { name: lineName, params: ['z'], expr: closed.expr, nodeId: first.exit };
    const last = body.outputs[0];
    definitions.push({
      name: group.name,
      line,
      where: body.where,
      steps: [...body.steps, { name: lineName, params: ['z'], expr: last.expr, nodeId: first.exit }],
      applications: group.instances.length,
      prefixes: group.instances.map((i) => i.prefix),
    });
    const collapsed = collapsedOf(sub, numbering, inputNames, () => lineName, ['z']);
    if (collapsed) definitionCollapses.push({ lines: [...collapsed.lines], collapses: [...collapsed.collapses] });
  }

  const main = condense(graph, groups);
  const body = equationOf(main, numbering, inputNamesOf(main, 'x'));
  const mainCollapsed = collapsedOf(main, numbering, inputNamesOf(main, 'x'), outputName(main));
  const allCollapsed = [...definitionCollapses, ...(mainCollapsed ? [{ lines: [...mainCollapsed.lines], collapses: [...mainCollapsed.collapses] }] : [])];
  const collapsed = allCollapsed.length > 0
    ? { lines: allCollapsed.flatMap((c) => c.lines), collapses: allCollapsed.flatMap((c) => c.collapses) }
    : undefined;
  return { definitions, ...body, collapsed, symbols: numbering.symbols };
}

function outputName(graph: ModelGraph): (i: number) => string {
  return (i) => (graph.outputs.length === 1 ? 'y' : `y_${i + 1}`);
}

function inputNamesOf(graph: ModelGraph, single: string): Map<number, string> {
  const names = new Map<number, string>();
  const inputs = graph.nodes.filter((n) => n.category === 'input');
  inputs.forEach((n) => names.set(n.id, inputs.length === 1 ? single : String(n.attrs.name ?? n.label ?? `x_${n.id}`)));
  return names;
}

/** The nodes of one block application as a graph of their own, its entry turned into an input. */
function subgraph(graph: ModelGraph, instance: BlockInstance): ModelGraph {
  const entry = ModelGraph.node(graph, instance.entry);
  const input: GraphNode = { id: entry.id, op: 'input', category: 'input', inputs: [], attrs: { name: 'z' }, range: entry.range, shape: entry.shape };
  return { ...graph, nodes: [input, ...instance.nodes.map((id) => ModelGraph.node(graph, id))], inputs: [entry.id], outputs: [instance.exit] };
}

/**
 * Replaces each outermost block application in `graph` by one node that takes the application's entry and stands
 * for its exit (same id, so readers need no rewiring); then folds a run of applications of one block, each feeding
 * only the next, into one node with a power: Block(Block(Block(x))) becomes Block³(x).
 */
function condense(graph: ModelGraph, groups: readonly BlockGroup[]): ModelGraph {
  const present = new Set(graph.nodes.map((n) => n.id));
  const applications: { instance: BlockInstance; name: string }[] = [];
  for (const group of groups) {
    for (const instance of group.instances) {
      if (instance.nodes.every((id) => present.has(id)) && present.has(instance.entry) === true) applications.push({ instance, name: group.name });
    }
  }
  // Keep the outermost applications only: an inner one is part of the outer block's definition.
  const outermost = applications.filter((a) => !applications.some((b) => b !== a && b.instance.nodes.length > a.instance.nodes.length && a.instance.nodes.every((id) => b.instance.nodes.includes(id))));
  if (outermost.length === 0) return graph;
  const replaced = new Map<number, { instance: BlockInstance; name: string }>();
  const removed = new Set<number>();
  for (const a of outermost) {
    for (const id of a.instance.nodes) removed.add(id);
    replaced.set(a.instance.exit, a);
  }
  let nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    const a = replaced.get(node.id);
    if (a) {
      const exit = ModelGraph.node(graph, a.instance.exit);
      const first = ModelGraph.node(graph, a.instance.nodes[0]);
      nodes.push({
        id: node.id,
        op: 'block',
        category: 'other',
        inputs: [a.instance.entry],
        attrs: { name: a.name, power: 1 },
        module: a.instance.prefix,
        range: { start: first.range.start, end: exit.range.end },
        shape: exit.shape,
      });
    } else if (!removed.has(node.id)) {
      nodes.push(node);
    }
  }
  // Fold runs: a block node whose input is an application of the same block read by nothing else.
  const readers = new Map<number, number>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outputs = new Set(graph.outputs);
  const folded = new Set<number>();
  for (const n of nodes) {
    if (n.op !== 'block') continue;
    const prev = byId.get(n.inputs[0]);
    if (prev && prev.op === 'block' && prev.attrs.name === n.attrs.name && readers.get(prev.id) === 1 && !outputs.has(prev.id)) {
      const merged: GraphNode = { ...n, inputs: prev.inputs, attrs: { ...n.attrs, power: (prev.attrs.power as number) + 1 }, range: { start: prev.range.start, end: n.range.end }, module: prev.module };
      byId.set(n.id, merged);
      folded.add(prev.id);
    }
  }
  nodes = nodes.filter((n) => !folded.has(n.id)).map((n) => byId.get(n.id)!);
  return { ...graph, nodes };
}

interface Body {
  readonly steps: EquationLine[];
  readonly outputs: EquationLine[];
  readonly closed: EquationLine[];
  readonly where: EquationLine[];
}

type ExprOf = (node: GraphNode, args: MathNode[]) => MathNode;

function exprBuilder(numbering: Numbering, block?: BlockInfo): ExprOf {
  const m = mathNodes();
  const sym = (name: string) => new m.SymbolNode(name);
  const affine = (node: GraphNode, arg: MathNode, weight: string, bias: string | undefined): MathNode => {
    const rank = /([123])d$/.test(node.op);
    const product = rank
      ? new m.FunctionNode(node.op.startsWith('conv_transpose') ? 'convT' : 'conv', [sym(weight), arg])
      : new m.OperatorNode('*', 'multiply', [sym(weight), arg]);
    return bias ? new m.OperatorNode('+', 'add', [product, sym(bias)]) : product;
  };
  return (node, args) => {
    const a = args[0] ?? sym('x');
    if (node.category === 'affine' && node.op !== 'bilinear') {
      const i = numbering.weightIndex(node, block);
      // A decoder whose weight is the embedding's (`self.decoder.weight = self.encoder.weight`) multiplies by E, the
      // matrix the lookup E(x) reads rows of: the tie is visible in the equation.
      const weight = node.attrs.tied_op === 'embedding' ? 'E' : `W_${i}`;
      return affine(node, a, weight, node.attrs.bias !== false ? `b_${i}` : undefined);
    }
    switch (node.op) {
      case 'bilinear': {
        const i = numbering.weightIndex(node, block);
        return new m.OperatorNode('+', 'add', [new m.FunctionNode('bilinear', [sym(`W_${i}`), ...args]), sym(`b_${i}`)]);
      }
      case 'block':
        return new m.FunctionNode(blockFunctionName(String(node.attrs.name), Number(node.attrs.power ?? 1)), [a]);
      case 'add':
        return new m.OperatorNode('+', 'add', args);
      case 'sub':
        return new m.OperatorNode('-', 'subtract', args);
      case 'mul':
        return new m.OperatorNode('.*', 'dotMultiply', args);
      case 'div':
        return args.length === 2 ? new m.OperatorNode('/', 'divide', args) : new m.FunctionNode('div', args);
      case 'bmm':
        return new m.OperatorNode('*', 'multiply', args);
      case 'scale': {
        // A power of a named size, as the code writes it: QKᵀ/√d_k for `/ math.sqrt(d_k)` or `* d_k ** -0.5`.
        const by = node.attrs.by;
        const exponent = node.attrs.exponent;
        if ((typeof by === 'string' || typeof by === 'number') && typeof exponent === 'number' && exponent !== 0) {
          const base = typeof by === 'number' || /^\d+(\.\d+)?$/.test(by) ? new m.ConstantNode(Number(by)) : sym(by);
          const magnitude = Math.abs(exponent);
          const power = magnitude === 0.5 ? new m.FunctionNode('sqrt', [base]) : magnitude === 1 ? base : new m.OperatorNode('^', 'pow', [base, new m.ConstantNode(magnitude)]);
          return exponent < 0 ? new m.OperatorNode('/', 'divide', [a, power]) : new m.OperatorNode('*', 'multiply', [power, a]);
        }
        return typeof node.attrs.factor === 'number'
          ? new m.OperatorNode('*', 'multiply', [new m.ConstantNode(round(node.attrs.factor)), a])
          : new m.OperatorNode('*', 'multiply', [sym('c'), a]);
      }
      case 'identity':
      case 'contiguous':
        return a;
      case 'transpose':
        // Swapping the last two axes is the matrix transpose of attention scores: QKᵀ.
        return isLastTwo(node.attrs.dim0, node.attrs.dim1) ? new m.FunctionNode('matrix_transpose', [a]) : new m.FunctionNode(node.op, args);
      case 'opaque':
        return new m.FunctionNode(opaqueName(node), args);
      default:
        // Self-attention reads one value three times (query, key, value): MHA(h) says it once.
        if (node.category === 'attention' && isSelfAttention(node)) return new m.FunctionNode(node.op, [a]);
        return new m.FunctionNode(node.op, args);
    }
  };
}

function isLastTwo(a: unknown, b: unknown): boolean {
  return (a === -2 && b === -1) || (a === -1 && b === -2);
}

function isSelfAttention(node: GraphNode): boolean {
  return node.inputs.length > 1 && node.inputs.every((i) => i === node.inputs[0]);
}

/** Steps, outputs, closed form and the values it keeps named, for one graph (a model, or a block's definition). */
function equationOf(graph: ModelGraph, numbering: Numbering, inputNames: Map<number, string>, block?: BlockInfo): Body {
  const m = mathNodes();
  const sym = (name: string) => new m.SymbolNode(name);
  const consumers = ModelGraph.consumers(graph);
  // A self-attention op reads its input once, as far as naming goes.
  for (const [id, list] of consumers) consumers.set(id, list.filter((c, i) => list.indexOf(c) === i || !isSelfAttention(ModelGraph.node(graph, c))));
  const outputSet = new Set(graph.outputs);
  const exprOf = exprBuilder(numbering, block);

  // A node gets its own step when several ops read it, when it is a nonlinearity feeding an affine map, or when it
  // is a block application (or feeds one): Block⁶ is a step of its own.
  const isStep = (node: GraphNode): boolean => {
    if (node.category === 'input' || outputSet.has(node.id)) return false;
    const readers = consumers.get(node.id) ?? [];
    if (readers.length > 1) return true;
    if (readers.length === 0) return false;
    if (node.op === 'block') return true;
    let reader = ModelGraph.node(graph, readers[0]);
    // Look through dropout and reshapes: h₂ = ReLU(W₂·dropout(h₁) + b₂) names the activation, not the dropout.
    for (let hops = 0; hops < 16 && (reader.category === 'reshape' || reader.category === 'regularization'); hops++) {
      const next = consumers.get(reader.id) ?? [];
      if (next.length !== 1 || outputSet.has(reader.id)) break;
      reader = ModelGraph.node(graph, next[0]);
    }
    // Reshapes, dropout and affine outputs stay inline, so a missing activation shows as W₃·(W₂h + b₂) + b₃.
    const substantial = node.category !== 'reshape' && node.category !== 'regularization' && node.category !== 'affine' && node.op !== 'scale';
    return substantial && (reader.category === 'affine' || reader.category === 'recurrent' || reader.category === 'attention' || reader.op === 'block' || (reader.category === 'merge' && Ops.isNonlinear(node.op)));
  };

  const steps: EquationLine[] = [];
  const where: EquationLine[] = [];
  const local = new Map<number, MathNode>();
  // In the closed form, a value read in several places stays named (h₃) instead of being written out twice.
  const full = new Map<number, MathNode>();
  for (const node of graph.nodes) {
    if (node.category === 'input') {
      const name = inputNames.get(node.id) ?? 'x';
      local.set(node.id, sym(name));
      full.set(node.id, sym(name));
      continue;
    }
    const localExpr = exprOf(node, node.inputs.map((i) => local.get(i) ?? sym('?')));
    const fullExpr = exprOf(node, node.inputs.map((i) => full.get(i) ?? sym('?')));
    if (isStep(node)) {
      const name = numbering.stepName();
      steps.push({ name, expr: localExpr, nodeId: node.id });
      local.set(node.id, sym(name));
      if ((consumers.get(node.id)?.length ?? 0) > 1) {
        where.push({ name, expr: fullExpr, nodeId: node.id });
        full.set(node.id, sym(name));
      } else {
        full.set(node.id, fullExpr);
      }
    } else {
      local.set(node.id, localExpr);
      full.set(node.id, fullExpr);
    }
  }

  const outName = outputName(graph);
  const outputs = graph.outputs.map((id, i) => ({ name: outName(i), expr: local.get(id) ?? sym('?'), nodeId: id }));
  const closed = graph.outputs.map((id, i) => ({ name: outName(i), expr: full.get(id) ?? sym('?'), nodeId: id }));
  return { steps, outputs, closed, where };
}

/** The closed form with each collapsing chain of affine maps replaced by its combined map W′x + b′. */
function collapsedOf(
  graph: ModelGraph,
  numbering: Numbering,
  inputNames: Map<number, string>,
  outName: (i: number) => string,
  params?: readonly string[],
): Equation['collapsed'] {
  const chains = findDirectChains(graph);
  if (chains.length === 0) return undefined;
  const m = mathNodes();
  const sym = (name: string) => new m.SymbolNode(name);
  const exprOf = exprBuilder(numbering);
  const chainByLast = new Map<number, { chain: GraphNode[]; prime: string }>();
  const collapses: Collapse[] = [];
  const idx = (n: GraphNode) => numbering.existingIndex(n) ?? numbering.weightIndex(n);
  for (const chain of chains) {
    const prime = numbering.prime();
    chainByLast.set(chain[chain.length - 1].id, { chain, prime });
    // W′ = Wₙ⋯W₁ and b′ = Wₙ⋯W₂b₁ + … + bₙ.
    const weights = [...chain].reverse().map((n) => sym(`W_${idx(n)}`));
    const product = weights.reduce((acc, w) => new m.OperatorNode('*', 'multiply', [acc, w]));
    let bias: MathNode | undefined;
    for (const n of chain) {
      const b = n.attrs.bias !== false ? sym(`b_${idx(n)}`) : undefined;
      if (bias) bias = new m.OperatorNode('*', 'multiply', [sym(`W_${idx(n)}`), bias.type === 'OperatorNode' && (bias as unknown as { op: string }).op === '+' ? new m.ParenthesisNode(bias) : bias]);
      if (b) bias = bias ? new m.OperatorNode('+', 'add', [bias, b]) : b;
    }
    const definitions: EquationLine[] = [{ name: `W${prime}`, expr: product }];
    if (bias) definitions.push({ name: `b${prime}`, expr: bias });
    collapses.push({ definitions, modules: chain.map((n) => n.module ?? n.op) });
  }
  const full = new Map<number, MathNode>();
  for (const node of graph.nodes) {
    if (node.category === 'input') {
      full.set(node.id, sym(inputNames.get(node.id) ?? 'x'));
      continue;
    }
    const collapse = chainByLast.get(node.id);
    if (collapse) {
      const first = collapse.chain[0];
      const arg = full.get(first.inputs[0]) ?? sym('?');
      const hasBias = collapse.chain.some((n) => n.attrs.bias !== false);
      const product = new m.OperatorNode('*', 'multiply', [sym(`W${collapse.prime}`), arg]);
      full.set(node.id, hasBias ? new m.OperatorNode('+', 'add', [product, sym(`b${collapse.prime}`)]) : product);
      continue;
    }
    full.set(node.id, exprOf(node, node.inputs.map((i) => full.get(i) ?? sym('?'))));
  }
  return { lines: graph.outputs.map((id, i) => ({ name: outName(i), ...(params ? { params } : {}), expr: full.get(id) ?? sym('?'), nodeId: id })), collapses };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function opaqueName(node: GraphNode): string {
  const label = node.label ?? 'f';
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(label.replace(/^self\./, ''));
  const name = m ? m[1] : label.replace(/[^A-Za-z0-9_]/g, '') || 'f';
  return `opaque:${name}`;
}

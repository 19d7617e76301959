// Builds a model's equation as mathjs expression trees from its graph: named steps (h₁ = ReLU(W₁x + b₁)), the
// output, the nested closed form, and the collapsed form where affine maps compose with nothing between them.
// The Unicode and LaTeX printers render these same trees.

import { type Dim, type GraphNode, ModelGraph, type Range } from '../graph';
import { findDirectChains } from '../linearChains';
import { Ops } from '../ops';
import { type MathNode, mathNodes } from './math';

export interface EquationSymbol {
  /** The symbol's name in the tree: W_1, b_1, W'. */
  readonly name: string;
  readonly kind: 'weight' | 'bias';
  readonly module?: string;
  readonly shape?: readonly Dim[];
  readonly range?: Range;
}

export interface EquationLine {
  readonly name: string;
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

export interface Equation {
  readonly steps: readonly EquationLine[];
  readonly outputs: readonly EquationLine[];
  /** Each output with every step substituted, except values read in several places (residuals), named in `where`. */
  readonly closed: readonly EquationLine[];
  /** The named values the closed form keeps, each in closed form, in evaluation order. */
  readonly where: readonly EquationLine[];
  /** The closed form with collapsing chains replaced by their combined map, when there are any. */
  readonly collapsed?: { readonly lines: readonly EquationLine[]; readonly collapses: readonly Collapse[] };
  readonly symbols: readonly EquationSymbol[];
}

const PRIMES = ["'", "''", "'''", "''''"];

export function buildEquation(graph: ModelGraph): Equation {
  const m = mathNodes();
  const sym = (name: string) => new m.SymbolNode(name);
  const consumers = ModelGraph.consumers(graph);
  const outputSet = new Set(graph.outputs);
  const symbols: EquationSymbol[] = [];
  const layerIndex = new Map<string, number>();
  let nextIndex = 1;

  const indexFor = (node: GraphNode): number => {
    const key = node.layerId ?? `#${node.id}`;
    let index = layerIndex.get(key);
    if (index === undefined) {
      index = nextIndex++;
      layerIndex.set(key, index);
      const inDim = node.attrs.in;
      const outDim = node.attrs.out;
      const shape = [outDim, inDim].filter((d): d is Dim => typeof d === 'number' || typeof d === 'string');
      symbols.push({ name: `W_${index}`, kind: 'weight', module: node.module, shape: shape.length === 2 ? shape : undefined, range: node.defRange ?? node.range });
      if (node.attrs.bias !== false) {
        symbols.push({ name: `b_${index}`, kind: 'bias', module: node.module, shape: typeof outDim === 'number' || typeof outDim === 'string' ? [outDim] : undefined, range: node.defRange ?? node.range });
      }
    }
    return index;
  };

  const affine = (node: GraphNode, arg: MathNode, weight: string, bias: string | undefined): MathNode => {
    const rank = /([123])d$/.test(node.op);
    const product = rank
      ? new m.FunctionNode(node.op.startsWith('conv_transpose') ? 'convT' : 'conv', [sym(weight), arg])
      : new m.OperatorNode('*', 'multiply', [sym(weight), arg]);
    return bias ? new m.OperatorNode('+', 'add', [product, sym(bias)]) : product;
  };

  const inputNames = new Map<number, string>();
  const inputs = graph.nodes.filter((n) => n.category === 'input');
  inputs.forEach((n) => inputNames.set(n.id, inputs.length === 1 ? 'x' : String(n.attrs.name ?? n.label ?? `x_${n.id}`)));

  const exprOf = (node: GraphNode, args: MathNode[]): MathNode => {
    const a = args[0] ?? sym('x');
    if (node.category === 'affine' && node.op !== 'bilinear') {
      const i = indexFor(node);
      return affine(node, a, `W_${i}`, node.attrs.bias !== false ? `b_${i}` : undefined);
    }
    switch (node.op) {
      case 'bilinear': {
        const i = indexFor(node);
        return new m.OperatorNode('+', 'add', [new m.FunctionNode('bilinear', [sym(`W_${i}`), ...args]), sym(`b_${i}`)]);
      }
      case 'add':
        return new m.OperatorNode('+', 'add', args);
      case 'sub':
        return new m.OperatorNode('-', 'subtract', args);
      case 'mul':
        return new m.OperatorNode('.*', 'dotMultiply', args);
      case 'bmm':
        return new m.OperatorNode('*', 'multiply', args);
      case 'scale':
        return typeof node.attrs.factor === 'number'
          ? new m.OperatorNode('*', 'multiply', [new m.ConstantNode(round(node.attrs.factor)), a])
          : new m.OperatorNode('*', 'multiply', [sym('c'), a]);
      case 'identity':
      case 'contiguous':
        return a;
      case 'opaque':
        return new m.FunctionNode(opaqueName(node), args);
      default:
        return new m.FunctionNode(node.op, args);
    }
  };

  // A node gets its own step when several ops read it, or when it is a nonlinearity feeding an affine map.
  const isStep = (node: GraphNode): boolean => {
    if (node.category === 'input' || outputSet.has(node.id)) return false;
    const readers = consumers.get(node.id) ?? [];
    if (readers.length > 1) return true;
    if (readers.length === 0) return false;
    let reader = ModelGraph.node(graph, readers[0]);
    // Look through dropout and reshapes: h₂ = ReLU(W₂·dropout(h₁) + b₂) names the activation, not the dropout.
    for (let hops = 0; hops < 16 && (reader.category === 'reshape' || reader.category === 'regularization'); hops++) {
      const next = consumers.get(reader.id) ?? [];
      if (next.length !== 1 || outputSet.has(reader.id)) break;
      reader = ModelGraph.node(graph, next[0]);
    }
    // Reshapes, dropout and affine outputs stay inline, so a missing activation shows as W₃·(W₂h + b₂) + b₃.
    const substantial = node.category !== 'reshape' && node.category !== 'regularization' && node.category !== 'affine' && node.op !== 'scale';
    return substantial && (reader.category === 'affine' || reader.category === 'recurrent' || reader.category === 'attention' || (reader.category === 'merge' && Ops.isNonlinear(node.op)));
  };

  const steps: EquationLine[] = [];
  const where: EquationLine[] = [];
  const local = new Map<number, MathNode>();
  // In the closed form, a value read in several places stays named (h₃) instead of being written out twice.
  const full = new Map<number, MathNode>();
  for (const node of graph.nodes) {
    if (node.category === 'input') {
      local.set(node.id, sym(inputNames.get(node.id)!));
      full.set(node.id, sym(inputNames.get(node.id)!));
      continue;
    }
    const localExpr = exprOf(node, node.inputs.map((i) => local.get(i) ?? sym('?')));
    const fullExpr = exprOf(node, node.inputs.map((i) => full.get(i) ?? sym('?')));
    if (isStep(node)) {
      const name = `h_${steps.length + 1}`;
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

  const outName = (i: number) => (graph.outputs.length === 1 ? 'y' : `y_${i + 1}`);
  const outputs = graph.outputs.map((id, i) => ({ name: outName(i), expr: local.get(id) ?? sym('?'), nodeId: id }));
  const closed = graph.outputs.map((id, i) => ({ name: outName(i), expr: full.get(id) ?? sym('?'), nodeId: id }));

  const collapsed = buildCollapsed(graph, exprOf, sym, outName, inputNames);
  return { steps, outputs, closed, where, collapsed, symbols };
}

function buildCollapsed(
  graph: ModelGraph,
  exprOf: (node: GraphNode, args: MathNode[]) => MathNode,
  sym: (name: string) => MathNode,
  outName: (i: number) => string,
  inputNames: Map<number, string>,
): Equation['collapsed'] {
  const chains = findDirectChains(graph);
  if (chains.length === 0) return undefined;
  const m = mathNodes();
  const chainByLast = new Map<number, { chain: GraphNode[]; prime: string }>();
  const inChain = new Set<number>();
  const collapses: Collapse[] = [];
  // The weights' indices come from the plain rendering's order of first appearance.
  const index = new Map<string, number>();
  let next = 1;
  for (const n of graph.nodes) {
    if (n.category === 'affine') {
      const key = n.layerId ?? `#${n.id}`;
      if (!index.has(key)) index.set(key, next++);
    }
  }
  const idx = (n: GraphNode) => index.get(n.layerId ?? `#${n.id}`)!;
  chains.forEach((chain, c) => {
    const prime = PRIMES[c] ?? `'${c}`;
    chainByLast.set(chain[chain.length - 1].id, { chain, prime });
    for (const n of chain.slice(1)) inChain.add(n.id);
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
  });
  const full = new Map<number, MathNode>();
  for (const node of graph.nodes) {
    if (node.category === 'input') {
      full.set(node.id, sym(inputNames.get(node.id)!));
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
  void inChain;
  return { lines: graph.outputs.map((id, i) => ({ name: outName(i), expr: full.get(id) ?? sym('?'), nodeId: id })), collapses };
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

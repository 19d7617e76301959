// Turns one parsed spec model into a ModelGraph (framework 'spec') with the same canonical ops every frontend uses,
// so that diffing a spec against code is diffing graph against graph. Expressions are walked as trees, never
// evaluated: `Linear(x, 256)` and `W x + b` (with `W: [256, in]`) both become one `linear` node, `relu`, `ReLU` and
// `F.relu` all become `relu`, a named block is inlined at each use, and `block^6(x)` applies it six times.

import type { AttrValue, Dim, GraphNode, ModelGraph, OpCategory, Range, Shape } from '../graph';
import { Ops } from '../ops';
import { inferShapes } from '../shapes';
import type { MathNode } from '../render/math';
import { type LocatedCall, SPEC_SYNTAX, type SpecDocument, type SpecExpression, type SpecModel, type SpecProblem, type SpecStatement } from './parseSpec';
import { editDistance, lookupSpecLoss, lookupSpecOp, suggestSpecOp } from './specOps';

export interface SpecModelBuild {
  readonly model: SpecModel;
  readonly graph: ModelGraph;
  readonly problems: readonly SpecProblem[];
  /** Shapes the spec states for values (`h1: [256] = …`), to compare with the code's inferred shapes. */
  readonly declaredShapes: readonly { readonly nodeId: number; readonly dims: Shape; readonly range: Range }[];
  /** The spec line each node comes from (0-based), for messages. */
  readonly lines: ReadonlyMap<number, number>;
}

interface MNode {
  type: string;
  name?: string;
  op?: string;
  fn?: MNode;
  args?: MNode[];
  content?: MNode;
  value?: unknown;
  items?: MNode[];
  object?: MNode;
  index?: { dimensions?: MNode[] };
  implicit?: boolean;
}

type Value =
  | { kind: 'tensor'; id: number }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'array'; items: Dim[] }
  | { kind: 'param'; name: string }
  | { kind: 'none' };

interface MutableNode {
  id: number;
  op: string;
  category: OpCategory;
  inputs: number[];
  attrs: Record<string, AttrValue>;
  range: Range;
  layerId?: string;
  label?: string;
  reason?: string;
  shape?: Shape;
  /** Set on a `W x` product until a `+ b` gives it its bias. */
  pendingBias?: boolean;
}

const MAX_EXPANSION = 2000;
/** Blocks may use blocks, this deep; deeper means a block that uses itself. */
const MAX_DEPTH = 32;

export function buildSpecGraphs(doc: SpecDocument): SpecModelBuild[] {
  return doc.models.map((model) => buildSpecGraph(doc, model));
}

export function buildSpecGraph(doc: SpecDocument, model: SpecModel): SpecModelBuild {
  const problems: SpecProblem[] = [];
  const problem = (message: string, range: Range) => problems.push({ code: SPEC_SYNTAX, message, range });
  const nodes: MutableNode[] = [];
  const lines = new Map<number, number>();
  const env = new Map<string, number>();
  const params = new Map<string, Shape>();
  const blocks = new Map<string, Extract<SpecStatement, { kind: 'block' }>>();
  const inputs: number[] = [];
  const outputs: number[] = [];
  const losses: string[] = [];
  const declaredShapes: { nodeId: number; dims: Shape; range: Range }[] = [];
  let currentLine = model.headerRange.start.line;
  let expansions = 0;
  let depth = 0;

  for (const b of doc.blocks) if (b.kind === 'block') blocks.set(b.name, b);
  for (const s of model.statements) {
    if (s.kind === 'block') blocks.set(s.name, s);
    if (s.kind === 'annotation') params.set(s.name, s.shape.dims);
  }

  const add = (n: Omit<MutableNode, 'id'>): number => {
    const id = nodes.length;
    nodes.push({ ...n, id });
    lines.set(id, currentLine);
    return id;
  };

  const opNode = (op: string, inputIds: number[], attrs: Record<string, AttrValue>, range: Range, label: string, layerId?: string): number =>
    add({ op, category: Ops.category(op), inputs: inputIds, attrs, range, label, layerId });

  /** Walks one expression; `scope` holds the values visible (block parameters shadow model values). */
  const walk = (expr: SpecExpression, scope: Map<string, number>, layerPrefix: string): Value => {
    let cursor = 0;
    const calls = expr.calls;
    const nextCall = (name: string): LocatedCall | undefined => {
      for (let i = cursor; i < calls.length; i++) {
        if (calls[i].name === name || calls[i].name.endsWith(`.${name}`) || name.endsWith(calls[i].name)) {
          cursor = i + 1;
          return calls[i];
        }
      }
      return undefined;
    };
    const whole = doc.rangeOf(expr.start, expr.end);
    const textOf = (start: number, end: number) => doc.text.slice(start, end).replace(/\s+/g, ' ');

    const tensorOf = (v: Value, where: Range, what: string): number | undefined => {
      if (v.kind === 'tensor') return v.id;
      if (v.kind === 'param') {
        const known = [...scope.keys()];
        const suggestion = suggestName(v.name, known);
        problem(`Unknown name \`${v.name}\` ${what}: it is neither an input nor an earlier assignment${suggestion ? `; did you mean \`${suggestion}\`?` : '.'}`, where);
      } else if (v.kind !== 'none') {
        problem(`Expected a tensor ${what}, found a constant.`, where);
      }
      return undefined;
    };

    const visit = (raw: MathNode, span: Range): Value => {
      const node = raw as unknown as MNode;
      switch (node.type) {
        case 'ParenthesisNode':
          return visit(node.content as unknown as MathNode, span);
        case 'SymbolNode': {
          const name = node.name ?? '';
          const id = scope.get(name);
          if (id !== undefined) return { kind: 'tensor', id };
          return { kind: 'param', name };
        }
        case 'ConstantNode': {
          const v = node.value;
          if (typeof v === 'number') return { kind: 'number', value: v };
          if (typeof v === 'boolean') return { kind: 'boolean', value: v };
          if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? { kind: 'number', value: Number(v) } : { kind: 'string', value: v };
          return { kind: 'none' };
        }
        case 'ArrayNode': {
          const items: Dim[] = [];
          for (const item of node.items ?? []) {
            const v = visit(item as unknown as MathNode, span);
            if (v.kind === 'number') items.push(v.value);
            else if (v.kind === 'param') items.push(v.name);
            else if (v.kind === 'string') items.push(v.value);
            else items.push('?');
          }
          return { kind: 'array', items };
        }
        case 'OperatorNode':
          return operator(node, span);
        case 'FunctionNode':
          return call(node, span);
        default:
          problem(`Expected an expression of tensors and operations; \`${(raw as unknown as { toString(): string }).toString()}\` is not one.`, span);
          return { kind: 'none' };
      }
    };

    const operator = (node: MNode, span: Range): Value => {
      const args = node.args ?? [];
      // `block^6(x)` parses as `block^6 * (x)`: the block applied six times.
      if (node.op === '*' && args.length === 2 && args[0].type === 'OperatorNode' && args[0].op === '^' && args[0].args?.[0]?.type === 'SymbolNode' && args[1].type === 'ParenthesisNode') {
        const name = args[0].args[0].name ?? '';
        const times = args[0].args[1];
        const block = blocks.get(name);
        const op = lookupSpecOp(name);
        const count = times?.type === 'ConstantNode' && typeof times.value === 'number' ? times.value : undefined;
        if ((block || op) && count !== undefined && Number.isInteger(count) && count >= 0 && count <= 512) {
          let v = visit(args[1] as unknown as MathNode, span);
          for (let i = 0; i < count; i++) v = block ? applyBlock(block, [v], span) : applyOp(name, op!, [v], [], span, undefined);
          return v;
        }
        problem(`\`${name}^…(…)\` repeats a named block a whole number of times (up to 512); \`${name}\` is ${block || op ? 'not repeated a whole number of times' : 'not a block'}.`, span);
        return { kind: 'none' };
      }
      if (node.fn === undefined && node.op === undefined) return { kind: 'none' };
      const vs = args.map((a) => visit(a as unknown as MathNode, span));
      const [a, b] = vs;
      // Unary operators other than minus: `+x` is x; the rest (`not x`, `x!`, `~x`) name no tensor operation.
      if (vs.length === 1 && node.op === '+') return a;
      if (vs.length !== 2 && !(vs.length === 1 && node.op === '-')) {
        problem(`The operator \`${node.op}\` is not an operation on tensors in a spec; use +, -, * (or ·), .* or a named operation.`, span);
        return { kind: 'none' };
      }
      switch (node.op) {
        case '-':
          if (vs.length === 1) {
            if (a.kind === 'number') return { kind: 'number', value: -a.value };
            const t = tensorOf(a, span, 'after `-`');
            return t === undefined ? { kind: 'none' } : { kind: 'tensor', id: opNode('scale', [t], { factor: -1 }, span, textOf(expr.start, expr.end)) };
          }
          return merge('sub', a, b, span);
        case '+': {
          // `W x + b`: the bias of an affine map.
          if (a.kind === 'tensor' && b.kind === 'param' && nodes[a.id].pendingBias) {
            nodes[a.id].pendingBias = false;
            nodes[a.id].attrs.bias = true;
            return a;
          }
          if (b.kind === 'tensor' && a.kind === 'param' && nodes[b.id].pendingBias) {
            nodes[b.id].pendingBias = false;
            nodes[b.id].attrs.bias = true;
            return b;
          }
          return merge('add', a, b, span);
        }
        case '*': {
          if (a.kind === 'param' && b.kind === 'tensor') return affine(a.name, b.id, span);
          if (a.kind === 'number' && b.kind === 'tensor') return { kind: 'tensor', id: opNode('scale', [b.id], { factor: a.value }, span, textOf(expr.start, expr.end)) };
          if (b.kind === 'number' && a.kind === 'tensor') return { kind: 'tensor', id: opNode('scale', [a.id], { factor: b.value }, span, textOf(expr.start, expr.end)) };
          if (a.kind === 'number' && b.kind === 'number') return { kind: 'number', value: a.value * b.value };
          return merge('mul', a, b, span);
        }
        case '.*':
          return merge('mul', a, b, span);
        case '/':
          if (a.kind === 'tensor' && b.kind === 'number' && b.value !== 0) return { kind: 'tensor', id: opNode('scale', [a.id], { factor: 1 / b.value }, span, textOf(expr.start, expr.end)) };
          if (a.kind === 'number' && b.kind === 'number' && b.value !== 0) return { kind: 'number', value: a.value / b.value };
          break;
        default:
          break;
      }
      problem(`The operator \`${node.op}\` is not an operation on tensors in a spec; use +, -, * (or ·), .* or a named operation.`, span);
      return { kind: 'none' };
    };

    const merge = (op: string, a: Value, b: Value, span: Range): Value => {
      const ta = tensorOf(a, span, `in \`${op}\``);
      const tb = tensorOf(b, span, `in \`${op}\``);
      if (ta === undefined || tb === undefined) return ta !== undefined ? { kind: 'tensor', id: ta } : tb !== undefined ? { kind: 'tensor', id: tb } : { kind: 'none' };
      return { kind: 'tensor', id: opNode(op, [ta, tb], {}, span, textOf(expr.start, expr.end)) };
    };

    const affine = (weight: string, input: number, span: Range): Value => {
      const shape = params.get(weight);
      const attrs: Record<string, AttrValue> = { bias: false };
      if (shape && shape.length === 2) {
        attrs.out = shape[0];
        if (typeof shape[1] === 'number') {
          attrs.in = shape[1];
          attrs.declared_in = true;
        }
      }
      const id = opNode('linear', [input], attrs, span, weight, `${layerPrefix}${weight}`);
      nodes[id].pendingBias = true;
      return { kind: 'tensor', id };
    };

    const call = (node: MNode, span: Range): Value => {
      const name = calleeName(node.fn);
      const located = nextCall(name);
      const range = located ? doc.rangeOf(located.start, located.end) : span;
      const argSpan = (i: number) => (located?.args[i] ? doc.rangeOf(located.args[i].start, located.args[i].end) : range);
      const positional: { value: Value; range: Range }[] = [];
      const keywords: { name: string; value: Value; raw: MNode; range: Range }[] = [];
      (node.args ?? []).forEach((arg, i) => {
        if (arg.type === 'AssignmentNode' && arg.object?.type === 'SymbolNode') {
          const valueNode = (arg as unknown as { value: MNode }).value;
          keywords.push({ name: arg.object.name ?? '', value: valueNode.type === 'SymbolNode' && !scope.has(valueNode.name ?? '') ? { kind: 'string', value: valueNode.name ?? '' } : visit(valueNode as unknown as MathNode, argSpan(i)), raw: valueNode, range: argSpan(i) });
        } else {
          positional.push({ value: visit(arg as unknown as MathNode, argSpan(i)), range: argSpan(i) });
        }
      });
      const block = blocks.get(name);
      if (block) return applyBlock(block, positional.map((p) => p.value), range);
      if (name === 'opaque') {
        const label = positional[0]?.value.kind === 'string' ? positional[0].value.value : 'f';
        const ins = positional.slice(1).map((p) => tensorOf(p.value, p.range, 'in `opaque`')).filter((i): i is number => i !== undefined);
        return { kind: 'tensor', id: add({ op: 'opaque', category: 'other', inputs: ins, attrs: {}, range, label, reason: 'the spec leaves this step open' }) };
      }
      const loss = lookupSpecLoss(name);
      if (loss) {
        losses.push(loss);
        return { kind: 'none' };
      }
      const op = lookupSpecOp(name);
      if (!op) {
        // `W2 (h)` is a product written as juxtaposition; mathjs reads it as a call.
        if (params.has(name) || (/^W/.test(name) && !scope.has(name) && positional.length === 1 && keywords.length === 0)) {
          const t = tensorOf(positional[0].value, positional[0].range, `multiplied by \`${name}\``);
          return t === undefined ? { kind: 'none' } : affine(name, t, range);
        }
        const suggestion = suggestSpecOp(name, [...blocks.keys()]);
        const nameRange = located ? doc.rangeOf(located.start, located.nameEnd) : range;
        problem(`Unknown operation \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : '; write a known operation (Linear, Conv2d, relu, …), a named block, or `opaque("what it does", x)`.'}`, nameRange);
        const ins = positional.map((p) => (p.value.kind === 'tensor' ? p.value.id : undefined)).filter((i): i is number => i !== undefined);
        return { kind: 'tensor', id: add({ op: 'opaque', category: 'other', inputs: ins, attrs: {}, range, label: name, reason: `unknown operation ${name}` }) };
      }
      return applyOp(name, op, positional, keywords, range, located);
    };

    const applyOp = (
      name: string,
      op: NonNullable<ReturnType<typeof lookupSpecOp>>,
      positional: readonly ({ value: Value; range: Range } | Value)[],
      keywords: readonly { name: string; value: Value; raw?: MNode; range: Range }[],
      range: Range,
      located: LocatedCall | undefined,
    ): Value => {
      const args = positional.map((p) => ('kind' in p ? { value: p, range } : p));
      const tensorCount = op.tensors === 'one' ? 1 : args.findIndex((a) => a.value.kind !== 'tensor' && a.value.kind !== 'param') < 0 ? args.length : args.findIndex((a) => a.value.kind !== 'tensor' && a.value.kind !== 'param');
      if (args.length < 1 || tensorCount < 1) {
        problem(`\`${name}\` needs its input as the first argument, as in \`${name}(x${op.params.length ? ', …' : ''})\`.`, range);
        return { kind: 'none' };
      }
      const ins: number[] = [];
      for (const a of args.slice(0, tensorCount)) {
        const t = tensorOf(a.value, a.range, `as the input of \`${name}\``);
        if (t !== undefined) ins.push(t);
      }
      const attrs: Record<string, AttrValue> = { ...(op.implied ?? {}) };
      if (op.op === 'linear' || /^conv/.test(op.op)) attrs.bias = true;
      const rest = args.slice(tensorCount);
      if (rest.length > op.params.length) {
        problem(`\`${name}\` takes ${op.params.length === 0 ? 'no arguments' : `at most ${op.params.length} argument${op.params.length === 1 ? '' : 's'} (${op.params.join(', ')})`} after its input.`, rest[op.params.length].range);
      }
      rest.slice(0, op.params.length).forEach((a, i) => {
        const v = attrValue(a.value);
        if (v !== undefined) attrs[op.params[i]] = v;
      });
      let layerId: string | undefined;
      for (const k of keywords) {
        if (k.name === 'shared' || k.name === 'layer') {
          layerId = k.value.kind === 'string' ? k.value.value : undefined;
          continue;
        }
        if (k.name === 'padding' && k.value.kind === 'string' && k.value.value === 'same') {
          attrs.same_padding = true;
          continue;
        }
        if (!op.keywords.includes(k.name) && !op.params.includes(k.name)) {
          problem(`\`${name}\` has no argument \`${k.name}\`${op.keywords.length + op.params.length ? `; it takes ${[...op.params, ...op.keywords, 'shared'].join(', ')}` : ''}.`, k.range);
          continue;
        }
        const v = attrValue(k.value);
        if (v !== undefined) attrs[k.name] = v;
        if (k.name === 'in') attrs.declared_in = true;
      }
      if (op.op === 'concat' && attrs.dim === undefined) attrs.dim = -1;
      const label = located ? textOf(located.start, located.end) : name;
      const params = Ops.category(op.op) === 'affine' || op.op === 'embedding' || Ops.category(op.op) === 'recurrent' || Ops.category(op.op) === 'attention' || Ops.category(op.op) === 'normalization';
      // A `shared=` name is one layer wherever it appears, inside blocks too.
      const id = opNode(op.op, ins, attrs, range, label, layerId !== undefined ? `shared:${layerId}` : params ? `${layerPrefix}#${nodes.length}` : undefined);
      return { kind: 'tensor', id };
    };

    const applyBlock = (block: Extract<SpecStatement, { kind: 'block' }>, args: readonly Value[], range: Range): Value => {
      if (++expansions > MAX_EXPANSION || depth >= MAX_DEPTH) {
        if (expansions === MAX_EXPANSION + 1 || depth === MAX_DEPTH) problem(`Named blocks expand to too many operations (does \`${block.name}\` use itself?).`, range);
        return { kind: 'none' };
      }
      if (args.length !== block.params.length) {
        problem(`\`${block.name}\` takes ${block.params.length} argument${block.params.length === 1 ? '' : 's'} (${block.params.join(', ')}), not ${args.length}.`, range);
      }
      const inner = new Map(scope);
      block.params.forEach((p, i) => {
        const v = args[i];
        if (v && v.kind === 'tensor') inner.set(p, v.id);
        else inner.delete(p);
      });
      const saved = currentLine;
      currentLine = block.range.start.line;
      depth++;
      const result = walk(block.expr, inner, `${layerPrefix}${block.name}${expansions}.`);
      depth--;
      currentLine = saved;
      return result;
    };

    return visit(expr.node, whole);
  };

  for (const s of model.statements) {
    currentLine = s.range.start.line;
    switch (s.kind) {
      case 'input': {
        const id = add({ op: 'input', category: 'input', inputs: [], attrs: { name: s.name }, range: s.nameRange, label: s.name, shape: s.shape?.dims });
        env.set(s.name, id);
        inputs.push(id);
        break;
      }
      case 'assign': {
        const value = walk(s.expr, env, '');
        if (value.kind === 'tensor') {
          // Naming a value that is already named (`y = h`) adds an identity, so the name has its own node.
          env.set(s.name, value.id);
          if (s.shape) declaredShapes.push({ nodeId: value.id, dims: s.shape.dims, range: s.shape.range });
        } else if (value.kind === 'none' && losses.length > 0 && s.name.toLowerCase().includes('loss')) {
          // A loss line: recorded on the graph, not an operation of the model.
        } else if (value.kind === 'param') {
          const suggestion = suggestName(value.name, [...env.keys()]);
          problem(`Unknown name \`${value.name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ': it is neither an input nor an earlier assignment.'}`, doc.rangeOf(s.expr.start, s.expr.end));
        }
        break;
      }
      case 'annotation': {
        const id = env.get(s.name);
        if (id !== undefined) declaredShapes.push({ nodeId: id, dims: s.shape.dims, range: s.shape.range });
        break;
      }
      case 'output':
        for (const o of s.names) {
          const id = env.get(o.name);
          if (id === undefined) {
            const suggestion = suggestName(o.name, [...env.keys()]);
            problem(`\`output ${o.name}\`: \`${o.name}\` is not assigned above${suggestion ? `; did you mean \`${suggestion}\`?` : '.'}`, o.range);
          } else {
            outputs.push(id);
          }
        }
        break;
      case 'block':
        break;
    }
  }
  if (inputs.length === 0 && model.statements.length > 0) {
    problems.push({ code: SPEC_SYNTAX, message: `Model \`${model.name}\` has no \`input\` line; add one, as in \`input x: [784]\`.`, range: model.nameRange });
  }
  if (outputs.length === 0 && nodes.length > inputs.length) {
    // Without an `output` line, the last assigned value is the output.
    const last = [...model.statements].reverse().find((s) => s.kind === 'assign' && env.has(s.name));
    if (last) outputs.push(env.get(last.name)!);
  }

  const frozen: GraphNode[] = nodes.map((n) => {
    const out: GraphNode = { id: n.id, op: n.op, category: n.category, inputs: n.inputs, attrs: n.attrs, range: n.range, layerId: n.layerId, label: n.label, reason: n.reason, shape: n.shape };
    return out;
  });
  const raw: ModelGraph = {
    name: model.name,
    framework: 'spec',
    range: model.range,
    nameRange: model.nameRange,
    nodes: frozen,
    inputs,
    outputs,
    layers: [],
    problems: [],
    losses: losses.length ? losses : undefined,
  };
  // Widths the spec leaves implicit (Linear(x, 256) reads x's width) come from shape inference, for hovers.
  const shaped = inferShapes(raw);
  const filled = shaped.nodes.map((n): GraphNode => {
    if (n.category !== 'affine' || n.attrs.in !== undefined) return n;
    const source = n.inputs[0] !== undefined ? shaped.nodes[n.inputs[0]]?.shape : undefined;
    if (!source || source.length === 0) return n;
    const inDim = /^conv/.test(n.op) ? source[0] : source[source.length - 1];
    return { ...n, attrs: { ...n.attrs, in: inDim } };
  });
  return { model, graph: { ...shaped, nodes: filled }, problems, declaredShapes, lines };
}

function calleeName(fn: MNode | undefined): string {
  if (!fn) return '';
  if (fn.type === 'SymbolNode') return fn.name ?? '';
  if (fn.type === 'AccessorNode') {
    const index = fn.index?.dimensions?.[0];
    return `${calleeName(fn.object)}.${index?.type === 'ConstantNode' ? String(index.value) : '?'}`;
  }
  return '?';
}

function attrValue(v: Value): AttrValue | undefined {
  switch (v.kind) {
    case 'number':
      return v.value;
    case 'boolean':
      return v.value;
    case 'string':
      return v.value;
    case 'array':
      return v.items;
    case 'param':
      return v.name;
    default:
      return undefined;
  }
}

function suggestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

// The spec diff: aligns a spec's graph with the code's graph structurally (by data flow and operation kinds, not
// by text, names or line order) and lists what differs: an op the code lacks (MS001) or has in addition (MS002), a
// different op where the spec has one (MS003), a width, kernel, stride or padding that differs (MS004), and a
// connection that differs (MS005: a residual, a concat, a branch, weight sharing, the inputs or outputs).
//
// Both graphs are put in data-flow order (a post-order walk from the outputs), then aligned as two sequences with a
// Needleman–Wunsch alignment in which equal op kinds score highest, ops of one category (tanh for relu) can stand
// for each other, and everything else is a gap. Reshapes and identities are matched when they can be and never
// reported when they cannot: `flatten` before a Linear and a Keras global pooling are the same computation.

import { type AttrValue, type GraphNode, ModelGraph } from '../graph';

export type SpecCode = 'MS001' | 'MS002' | 'MS003' | 'MS004' | 'MS005';

export interface AttrDifference {
  readonly name: string;
  readonly spec: AttrValue | undefined;
  readonly code: AttrValue | undefined;
}

export interface SpecDifference {
  readonly code: SpecCode;
  /** The spec's op (absent for MS002). */
  readonly spec?: GraphNode;
  /** The code's op (absent for MS001). */
  readonly codeNode?: GraphNode;
  /** For MS001: the code op after which the missing op belongs; for MS002: the spec op after which the extra one sits. */
  readonly anchor?: GraphNode;
  /** For MS004: each attribute that differs. */
  readonly attrs?: readonly AttrDifference[];
  /** For MS005: what differs, in words. */
  readonly structure?: string;
  /** For MS005 on weight sharing and connections: the other ops involved. */
  readonly otherSpec?: GraphNode;
  readonly otherCode?: GraphNode;
}

export interface SpecAlignment {
  /** Spec node id → code node id, for every matched pair. */
  readonly pairs: ReadonlyMap<number, number>;
  readonly differences: readonly SpecDifference[];
  /** The alignment in data-flow order: inputs, then each matched pair or one-sided op (for side-by-side views). */
  readonly rows: readonly { readonly spec?: GraphNode; readonly code?: GraphNode }[];
}

/** What an op is, for matching: spellings of one computation share a kind. */
export function opKind(node: GraphNode): string {
  const op = node.op;
  if (op === 'matmul') return 'linear';
  if (op === 'view' || op === 'reshape' || op === 'flatten') return 'reshape';
  if (op === 'alpha_dropout') return 'dropout';
  if (/^adaptive_(avg|max)_pool[123]d$/.test(op) && (node.attrs.global === true || isOne(node.attrs.kernel ?? node.attrs.output_size))) return op.replace(/^adaptive_(avg|max)_pool/, 'global_$1_pool');
  return op;
}

function isOne(v: AttrValue | undefined): boolean {
  if (Array.isArray(v)) return v.every((x) => x === 1);
  return v === 1;
}

const TRANSPARENT = new Set(['identity', 'contiguous']);

function isSoft(node: GraphNode): boolean {
  return node.category === 'reshape' || TRANSPARENT.has(node.op);
}

export function hasParameters(node: GraphNode): boolean {
  return node.category === 'affine' || node.category === 'recurrent' || node.category === 'attention' || node.op === 'embedding' || (node.category === 'normalization' && node.op !== 'normalize');
}

/** Non-input nodes in data-flow order: a post-order walk from the outputs, then anything the outputs do not read. */
export function dataFlowOrder(graph: ModelGraph): GraphNode[] {
  const seen = new Set<number>();
  const order: GraphNode[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const visit = (id: number) => {
    // An explicit stack: deep ResNets would overflow a recursive walk.
    const stack: { id: number; expanded: boolean }[] = [{ id, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      const node = byId.get(top.id);
      if (!node) continue;
      if (top.expanded) {
        if (!seen.has(node.id)) {
          seen.add(node.id);
          if (node.category !== 'input') order.push(node);
        }
        continue;
      }
      if (seen.has(node.id)) continue;
      stack.push({ id: node.id, expanded: true });
      for (const input of [...node.inputs].reverse()) if (!seen.has(input)) stack.push({ id: input, expanded: false });
    }
  };
  for (const out of graph.outputs) visit(out);
  for (const n of graph.nodes) if (!seen.has(n.id) && n.category !== 'input') visit(n.id);
  return order;
}

const NEG = -1e9;

function score(s: GraphNode, c: GraphNode): number {
  if (s.op === 'opaque' || c.op === 'opaque') return 2;
  if (opKind(s) === opKind(c)) return 4;
  if (isSoft(s) || isSoft(c)) return NEG;
  if (s.category === c.category) return 1;
  return NEG;
}

export function alignSpecToGraph(spec: ModelGraph, code: ModelGraph): SpecAlignment {
  const pairs = new Map<number, number>();
  const differences: SpecDifference[] = [];
  const specById = new Map(spec.nodes.map((n) => [n.id, n]));
  const codeById = new Map(code.nodes.map((n) => [n.id, n]));

  // Inputs pair up by position.
  const specInputs = spec.nodes.filter((n) => n.category === 'input');
  const codeInputs = code.nodes.filter((n) => n.category === 'input');
  specInputs.forEach((s, i) => {
    const c = codeInputs[i];
    if (c) pairs.set(s.id, c.id);
  });
  if (specInputs.length !== codeInputs.length) {
    differences.push({ code: 'MS005', spec: specInputs[codeInputs.length] ?? specInputs[0], codeNode: codeInputs[specInputs.length] ?? codeInputs[0], structure: `the spec has ${count(specInputs.length, 'input')}, the code ${count(codeInputs.length, 'input')}` });
  }
  for (const [s, c] of pairs) {
    const sd = specById.get(s)?.shape;
    const cd = codeById.get(c)?.shape;
    if (sd && cd && sd.every((d) => typeof d === 'number') && cd.every((d) => typeof d === 'number') && sd.join(',') !== cd.join(',')) {
      differences.push({ code: 'MS004', spec: specById.get(s), codeNode: codeById.get(c), attrs: [{ name: 'shape', spec: [...sd], code: [...cd] }] });
    }
  }

  const S = dataFlowOrder(spec);
  const C = dataFlowOrder(code);
  const n = S.length;
  const m = C.length;
  // Needleman–Wunsch with zero-cost gaps: the alignment with the most (and best) matches, in order.
  const table: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const diag = table[i - 1][j - 1] + score(S[i - 1], C[j - 1]);
      table[i][j] = Math.max(diag, table[i - 1][j], table[i][j - 1]);
    }
  }
  const rows: { spec?: GraphNode; code?: GraphNode }[] = [];
  const matched: [GraphNode, GraphNode][] = [];
  const specOnly: GraphNode[] = [];
  const codeOnly: GraphNode[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0) {
      const sc = score(S[i - 1], C[j - 1]);
      if (sc > NEG / 2 && table[i][j] === table[i - 1][j - 1] + sc) {
        matched.push([S[i - 1], C[j - 1]]);
        rows.push({ spec: S[i - 1], code: C[j - 1] });
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && (j === 0 || table[i][j] === table[i - 1][j])) {
      specOnly.push(S[i - 1]);
      rows.push({ spec: S[i - 1] });
      i--;
    } else {
      codeOnly.push(C[j - 1]);
      rows.push({ code: C[j - 1] });
      j--;
    }
  }
  matched.reverse();
  rows.reverse();
  const inputRows = Math.max(specInputs.length, codeInputs.length);
  for (let k = inputRows - 1; k >= 0; k--) rows.unshift({ spec: specInputs[k], code: codeInputs[k] });
  specOnly.reverse();
  codeOnly.reverse();
  for (const [s, c] of matched) pairs.set(s.id, c.id);
  const codeToSpec = new Map([...pairs].map(([s, c]) => [c, s]));

  /** The nearest matched ancestors of a node's inputs, and whether the walk crossed an unmatched merge. */
  const sources = (graph: Map<number, GraphNode>, node: GraphNode, isMatched: (id: number) => boolean): { ids: number[]; crossedMerge: boolean; crossedAny: boolean } => {
    const ids: number[] = [];
    let crossedMerge = false;
    let crossedAny = false;
    const stack = [...node.inputs];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (isMatched(id)) {
        ids.push(id);
        continue;
      }
      const through = graph.get(id);
      if (!through) continue;
      if (through.category === 'merge') crossedMerge = true;
      if (!isSoft(through)) crossedAny = true;
      stack.push(...through.inputs);
    }
    return { ids: [...new Set(ids)].sort((a, b) => a - b), crossedMerge, crossedAny };
  };
  const specMatched = (id: number) => pairs.has(id);
  const codeMatched = (id: number) => codeToSpec.has(id);
  /** The matched op a node follows: where a missing op belongs on the other side. */
  const anchorOf = (graph: Map<number, GraphNode>, node: GraphNode, isMatched: (id: number) => boolean): GraphNode | undefined => {
    let current: GraphNode | undefined = node;
    for (let hops = 0; current && hops < 64; hops++) {
      // The latest input is the one the op waits for: after `f(h)` in `h + f(h)`.
      const input: number | undefined = current.inputs.length ? Math.max(...current.inputs) : undefined;
      if (input === undefined) return undefined;
      if (isMatched(input)) return graph.get(input);
      current = graph.get(input);
    }
    return undefined;
  };

  // An opaque step (unknown to the spec, or not understood in the code) is a wildcard: matched when it can be,
  // never reported when it cannot (MS010 and MA000 already say it is unknown).
  for (const s of specOnly) {
    if (isSoft(s) || s.op === 'opaque') continue;
    const anchorSpec = anchorOf(specById, s, specMatched);
    const anchor = anchorSpec ? codeById.get(pairs.get(anchorSpec.id)!) : undefined;
    if (s.category === 'merge' && s.inputs.length > 1) {
      differences.push({ code: 'MS005', spec: s, anchor, structure: `the spec ${mergeWords(s)} that the code lacks` });
    } else {
      differences.push({ code: 'MS001', spec: s, anchor });
    }
  }
  for (const c of codeOnly) {
    if (isSoft(c) || c.op === 'opaque') continue;
    const anchorCode = anchorOf(codeById, c, codeMatched);
    const anchor = anchorCode ? specById.get(codeToSpec.get(anchorCode.id)!) : undefined;
    if (c.category === 'merge' && c.inputs.length > 1) {
      differences.push({ code: 'MS005', codeNode: c, anchor, structure: `the code ${mergeWords(c)} that the spec lacks` });
    } else {
      differences.push({ code: 'MS002', codeNode: c, anchor });
    }
  }

  for (const [s, c] of matched) {
    if (s.op === 'opaque' || c.op === 'opaque') continue;
    if (opKind(s) !== opKind(c)) {
      differences.push({ code: 'MS003', spec: s, codeNode: c });
      continue;
    }
    const attrs = compareAttrs(s, c);
    if (attrs.length > 0) differences.push({ code: 'MS004', spec: s, codeNode: c, attrs });
    // The same op reading different values: a connection differs.
    const fromSpec = sources(specById, s, specMatched);
    const fromCode = sources(codeById, c, codeMatched);
    if (fromSpec.crossedMerge || fromCode.crossedMerge) continue;
    const mapped = fromCode.ids.map((id) => codeToSpec.get(id)!).sort((a, b) => a - b);
    if (mapped.join(',') !== fromSpec.ids.join(',')) {
      const names = (ids: number[], graph: Map<number, GraphNode>) => ids.map((id) => graph.get(id)).filter((x): x is GraphNode => !!x);
      differences.push({ code: 'MS005', spec: s, codeNode: c, structure: 'reads', otherSpec: names(fromSpec.ids, specById)[0], otherCode: names(fromCode.ids, codeById)[0] });
    }
  }

  // Weight sharing: two spec ops that share a layer must map to two code ops that share one, and back.
  const shared = matched.filter(([s, c]) => hasParameters(s) && hasParameters(c));
  const reported = new Set<number>();
  for (let a = 0; a < shared.length; a++) {
    for (let b = a + 1; b < shared.length; b++) {
      const [s1, c1] = shared[a];
      const [s2, c2] = shared[b];
      const specShares = s1.layerId !== undefined && s1.layerId === s2.layerId;
      const codeShares = c1.layerId !== undefined && c1.layerId === c2.layerId;
      if (specShares === codeShares || reported.has(s2.id)) continue;
      reported.add(s2.id);
      differences.push({
        code: 'MS005',
        spec: s2,
        codeNode: c2,
        otherSpec: s1,
        otherCode: c1,
        structure: specShares ? 'spec-shares' : 'code-shares',
      });
    }
  }

  // A graph without outputs is one whose return value was not understood: nothing to compare.
  if (spec.outputs.length !== code.outputs.length && spec.outputs.length > 0 && code.outputs.length > 0) {
    differences.push({ code: 'MS005', spec: specById.get(spec.outputs[0]), codeNode: codeById.get(code.outputs[0]), structure: `the spec has ${count(spec.outputs.length, 'output')}, the code ${count(code.outputs.length, 'output')}` });
  }
  return { pairs, differences, rows };
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function mergeWords(node: GraphNode): string {
  switch (node.op) {
    case 'add':
      return 'adds a skip connection (residual)';
    case 'concat':
      return 'concatenates two branches';
    case 'mul':
      return 'multiplies two branches (a gate)';
    case 'sub':
      return 'subtracts two branches';
    default:
      return `merges branches with ${node.op}`;
  }
}

/** The hyperparameters the spec diff compares: widths, channels, kernel, stride and padding. */
function compareAttrs(s: GraphNode, c: GraphNode): AttrDifference[] {
  const out: AttrDifference[] = [];
  const rank = Number(/([123])d$/.exec(s.op)?.[1] ?? 1);
  const norm = (v: AttrValue | undefined, fallback?: number): string | undefined => {
    if (v === undefined || v === null) return fallback === undefined ? undefined : norm(fallback);
    const arr = Array.isArray(v) ? (v as readonly unknown[]) : Array.from({ length: rank }, () => v);
    return arr.map(String).join('×');
  };
  const differs = (name: string, sv: AttrValue | undefined, cv: AttrValue | undefined, fallback?: number, scalar = false) => {
    if (sv === undefined && fallback === undefined) return;
    if (typeof sv === 'string' || typeof cv === 'string') {
      // A symbolic width (d_out) matches any width.
      if (!(typeof sv === 'number' && typeof cv === 'number')) return;
    }
    const a = scalar ? (sv === undefined || sv === null ? fallback : sv) : norm(sv, fallback);
    const b = scalar ? (cv === undefined || cv === null ? fallback : cv) : norm(cv, fallback);
    if (a === undefined || b === undefined) return;
    if (String(a) !== String(b)) out.push({ name, spec: sv ?? fallback, code: cv ?? fallback });
  };
  const kind = opKind(s);
  if (kind === 'linear' || s.category === 'recurrent') {
    differs('out', s.attrs.out, c.attrs.out, undefined, true);
    if (s.attrs.declared_in === true) differs('in', s.attrs.in, c.attrs.in, undefined, true);
  } else if (/^conv/.test(kind)) {
    differs('out', s.attrs.out, c.attrs.out, undefined, true);
    if (s.attrs.declared_in === true) differs('in', s.attrs.in, c.attrs.in, undefined, true);
    differs('kernel', s.attrs.kernel, c.attrs.kernel ?? c.attrs.kernel_size);
    differs('stride', s.attrs.stride, c.attrs.stride, 1);
    const sameS = s.attrs.same_padding === true;
    const sameC = c.attrs.same_padding === true || c.attrs.padding === 'same';
    if (sameS !== sameC) {
      if (!(sameS && c.attrs.padding !== undefined && samePaddingFor(c))) out.push({ name: 'padding', spec: sameS ? 'same' : s.attrs.padding ?? 0, code: sameC ? 'same' : c.attrs.padding ?? 0 });
    } else if (!sameS) {
      differs('padding', s.attrs.padding, c.attrs.padding, 0);
    }
  } else if (kind === 'embedding') {
    differs('in', s.attrs.in, c.attrs.in, undefined, true);
    differs('out', s.attrs.out, c.attrs.out, undefined, true);
  } else if (/^(max|avg)_pool/.test(kind)) {
    differs('kernel', s.attrs.kernel, c.attrs.kernel ?? c.attrs.kernel_size);
    const sk = s.attrs.kernel;
    const ck = c.attrs.kernel ?? c.attrs.kernel_size;
    // A pooling stride defaults to its kernel.
    const stride = (v: AttrValue | undefined, k: AttrValue | undefined) => (v === undefined || v === null ? k : v);
    if (sk !== undefined) differs('stride', stride(s.attrs.stride, sk), stride(c.attrs.stride, ck));
  } else if (/^adaptive_/.test(kind)) {
    differs('size', s.attrs.kernel, c.attrs.kernel ?? c.attrs.output_size);
  }
  return out;
}

/** Whether explicit padding keeps a stride-1 convolution's size, which is what `padding="same"` says. */
function samePaddingFor(node: GraphNode): boolean {
  const k = node.attrs.kernel ?? node.attrs.kernel_size;
  const p = node.attrs.padding;
  const first = (v: AttrValue | undefined) => (Array.isArray(v) ? v[0] : v);
  const kk = first(k);
  const pp = first(p);
  return typeof kk === 'number' && typeof pp === 'number' && kk === 2 * pp + 1 && (node.attrs.stride === undefined || first(node.attrs.stride) === 1);
}

/** For tests and reports: a pair's nodes. */
export function pairedNodes(alignment: SpecAlignment, spec: ModelGraph, code: ModelGraph): [GraphNode, GraphNode][] {
  return [...alignment.pairs].map(([s, c]) => [ModelGraph.node(spec, s), ModelGraph.node(code, c)]);
}

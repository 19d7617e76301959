// Constant weight initialisations written in PyTorch code, for MA014: `nn.init.zeros_(self.fc.weight)`,
// `nn.init.constant_(m.weight, 0.1)` under `if isinstance(m, nn.Linear):`, `self.conv.weight.data.fill_(0)`. Read
// from the model's class and from the functions the file hands to `.apply(...)` (the usual `weights_init(m)`).
// Only weights count: a constant bias (`nn.init.zeros_(m.bias)`) or a norm's weight of 1 is how layers start.

import type { GraphNode, ModelGraph, OpEdit, WeightInit } from '../graph';
import { statementDelta, type SyntaxNode } from '../syntax';
import { callIndex } from './callIndex';
import { type PyScopes, callArguments, enclosingStatement, rangeOfNode } from './pyScope';

const INIT_FUNCTIONS: Readonly<Record<string, WeightInit['kind'] | 'value'>> = {
  'torch.nn.init.zeros_': 'zeros',
  'torch.nn.init.ones_': 'ones',
  'torch.nn.init.constant_': 'value',
  'torch.nn.init.constant': 'value',
};

/** Which of the graph's affine ops a written initialisation reaches: by module path, or by layer class. */
type Target = { readonly module: string } | { readonly classes: readonly string[] };

interface Found {
  readonly target: Target;
  readonly init: WeightInit;
}

/** A file's constant-init calls with where each is written, and the functions it hands to `.apply(...)`. */
interface FileInits {
  readonly calls: readonly (Found & { readonly at: SyntaxNode })[];
  readonly applied: readonly SyntaxNode[];
}

/**
 * One top-level statement's candidate init calls (by callee name only), `.apply(NAME)` names and function
 * definitions. Nodes only: positions and import aliases are read when the file is, since either may have changed.
 */
interface StatementInits {
  readonly calls: readonly SyntaxNode[];
  readonly appliedNames: readonly string[];
  readonly defs: readonly SyntaxNode[];
}

/**
 * Kept per statement node (the syntax mirror reuses unchanged statements between analyses, so an edit re-reads only
 * its own statement) and per tree (every model of the file looks into the same calls).
 */
const statementInits = new WeakMap<SyntaxNode, StatementInits>();
const fileInits = new WeakMap<SyntaxNode, FileInits>();

function statementInitsOf(stmt: SyntaxNode): StatementInits {
  const known = statementInits.get(stmt);
  if (known) return known;
  const calls: SyntaxNode[] = [];
  const appliedNames: string[] = [];
  // From the statement's call index, by callee text: `nn.init.zeros_`, `m.weight.data.fill_`, `net.apply`.
  for (const [callee, list] of callIndex(stmt).byCallee) {
    if (callee.endsWith('.apply')) {
      for (const call of list) {
        const arg = callArguments(call).args[0];
        if (arg) appliedNames.push(arg.text.replace(/^self\./, ''));
      }
    } else if (INIT_CALL.test(callee)) {
      calls.push(...list);
    }
  }
  const defs = [...(stmt.type === 'function_definition' ? [stmt] : []), ...stmt.descendantsOfType('function_definition')];
  const result = { calls, appliedNames, defs };
  statementInits.set(stmt, result);
  return result;
}

function initsOf(root: SyntaxNode, scopes: PyScopes): FileInits {
  const known = fileInits.get(root);
  if (known) return known;
  // After an edit: a file that initialises no weight to a constant still does not when the edited statements do not.
  const delta = root.type === 'module' ? statementDelta(root) : undefined;
  const before = delta ? fileInits.get(delta.previous) : undefined;
  if (delta && before && before.calls.length === 0 && [...delta.removed, ...delta.added].every((s) => statementInitsOf(s).calls.length === 0)) {
    fileInits.set(root, before);
    return before;
  }
  const calls: (Found & { at: SyntaxNode })[] = [];
  const appliedNames = new Set<string>();
  const defs: SyntaxNode[] = [];
  for (const stmt of root.namedChildren) {
    const s = statementInitsOf(stmt);
    for (const call of s.calls) {
      const hit = initCall(call, scopes);
      if (hit) calls.push({ ...hit, at: call });
    }
    for (const name of s.appliedNames) appliedNames.add(name);
    defs.push(...s.defs);
  }
  const applied = calls.length === 0 ? [] : defs.filter((d) => appliedNames.has(d.childForFieldName('name')?.text ?? ''));
  const result = { calls, applied };
  fileInits.set(root, result);
  return result;
}

/** The callee of an init call ends in one of these. */
const INIT_CALL = /(?:zeros_|ones_|constant_?|fill_|zero_)$/;

/** The constant initialisations of the graph's affine ops, by node id. */
export function constantWeightInits(root: SyntaxNode, graph: ModelGraph, scopes: PyScopes): Map<number, WeightInit> {
  const result = new Map<number, WeightInit>();
  const inits = initsOf(root, scopes);
  if (inits.calls.length === 0) return result;
  const readable = scopesToRead(root, graph, inits.applied);
  const found = inits.calls.filter((c) => readable.some((scope) => within(c.at, scope)));
  for (const node of graph.nodes) {
    if (node.category !== 'affine' || node.origin !== undefined) continue;
    const hit = found.find((f) => reaches(f.target, node));
    if (hit) result.set(node.id, hit.init);
  }
  return result;
}

/** The model's class, and every function or method of the file passed to `.apply(...)`. */
function scopesToRead(root: SyntaxNode, graph: ModelGraph, applied: readonly SyntaxNode[]): SyntaxNode[] {
  let n: SyntaxNode | null = root.descendantForPosition({ row: graph.range.start.line, column: graph.range.start.character });
  while (n && n.type !== 'class_definition') n = n.parent;
  return n ? [n, ...applied] : [...applied];
}

function within(inner: SyntaxNode, outer: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** A call that initialises a weight to a constant, and which layers it reaches. */
function initCall(call: SyntaxNode, scopes: PyScopes): Found | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  let weight: SyntaxNode | undefined;
  let kind: WeightInit['kind'] | undefined;
  const { args, kwargs } = callArguments(call);
  const initKind = INIT_FUNCTIONS[scopes.resolvePath(fn.text)];
  if (initKind) {
    weight = args[0] ?? kwargs.get('tensor');
    kind = initKind === 'value' ? valueKind(args[1] ?? kwargs.get('val')) : initKind;
  } else if (fn.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text;
    if (method === 'zero_') kind = 'zeros';
    else if (method === 'fill_') kind = valueKind(args[0] ?? kwargs.get('value'));
    if (kind) weight = fn.childForFieldName('object') ?? undefined;
  }
  if (!weight || !kind) return undefined;
  const owner = /^(.+)\.weight(?:\.data)?$/.exec(weight.text.replace(/\s+/g, ''))?.[1];
  if (!owner) return undefined;
  const target = targetOf(owner, call);
  if (!target) return undefined;
  return { target, init: { kind, text: call.text.replace(/\s+/g, ' '), range: rangeOfNode(call), reset: removal(call) } };
}

/** `0` / `0.0` → zeros, `1` → ones, any other value (or one not written as a number) → constant. */
function valueKind(value: SyntaxNode | undefined): WeightInit['kind'] {
  const v = value && (value.type === 'integer' || value.type === 'float') ? Number(value.text) : NaN;
  return v === 0 ? 'zeros' : v === 1 ? 'ones' : 'constant';
}

/** `self.fc` → the module `fc`; a loop or parameter variable (`m`) → the layer classes its branch tests for. */
function targetOf(owner: string, call: SyntaxNode): Target | undefined {
  const self = /^self\.([A-Za-z_][A-Za-z0-9_.[\]]*)$/.exec(owner);
  if (self) return { module: self[1].replace(/\[(\d+)\]/g, '.$1') };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(owner)) return undefined;
  const classes = guardClasses(call);
  return classes.length > 0 ? { classes } : undefined;
}

/**
 * The layer classes the nearest enclosing `if` / `elif` tests the variable against: `isinstance(m, (nn.Linear,
 * nn.Conv2d))`, `type(m) == nn.Linear`, DCGAN's `classname.find('Conv') != -1`. Inside an `else`, nothing.
 */
function guardClasses(call: SyntaxNode): string[] {
  let child: SyntaxNode = call;
  for (let n = call.parent; n && n.type !== 'function_definition' && n.type !== 'class_definition'; child = n, n = n.parent) {
    if (n.type === 'else_clause') return [];
    if (n.type !== 'if_statement' && n.type !== 'elif_clause') continue;
    if (n.childForFieldName('condition')?.id === child.id) return [];
    if (n.type === 'if_statement' && n.childForFieldName('consequence')?.id !== child.id) continue;
    const cond = n.childForFieldName('condition')?.text ?? '';
    return [...cond.matchAll(/(?:\bnn\.|['"])([A-Z][A-Za-z0-9]*)/g)].map((m) => m[1].toLowerCase());
  }
  return [];
}

function reaches(target: Target, node: GraphNode): boolean {
  if ('module' in target) return node.module === target.module || node.layerId === target.module;
  // `Conv` reaches every convolution, `Conv2d` the 2-d ones, `Linear` the linear maps; a norm's class reaches none.
  return target.classes.some((c) => node.op.replace(/_/g, '').startsWith(c));
}

/** Deletes the statement that makes the call, so the layer keeps PyTorch's default initialisation. */
function removal(call: SyntaxNode): OpEdit | undefined {
  const stmt = enclosingStatement(call);
  if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildren[0]?.id !== call.id) return undefined;
  const r = rangeOfNode(stmt);
  const description = `remove \`${call.text.replace(/\s+/g, ' ')}\` (PyTorch's default initialisation)`;
  // The only statement of its block becomes `pass`, so the block stays valid Python.
  const alone = (stmt.parent?.namedChildren ?? []).filter((c) => c.type !== 'comment').length === 1;
  if (alone) return { description, edits: [{ range: r, newText: 'pass' }] };
  return { description, edits: [{ range: { start: { line: r.start.line, character: 0 }, end: { line: r.end.line + 1, character: 0 } }, newText: '' }] };
}

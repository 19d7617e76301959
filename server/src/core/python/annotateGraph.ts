// A pass over a PyTorch model graph with the syntax tree at hand: it adds what the rules need to know about how each
// op is written (whether functional dropout follows `self.training`, whether a softmax names its dim, whether an op
// runs only under `if self.training:`) and the quick-fix edits in PyTorch's idiom.

import type { SyntaxNode } from '../syntax';
import type { GraphNode, ModelGraph, NodeEdits, OpEdit, Range } from '../graph';
import { Ops } from '../ops';
import { unwrapCall } from './lossUses';
import { PyScopes, appendArgument, callArguments, rangeOfNode } from './pyScope';
import { constantWeightInits } from './weightInits';

/** Positional index of `bias` in each constructor, so a positional bias is not given twice. */
const BIAS_POSITION: Readonly<Record<string, number>> = { linear: 2, bilinear: 3 };
const CONV_BIAS_POSITION = 7;

export function annotatePytorchGraph(root: SyntaxNode, graph: ModelGraph, scopes: PyScopes): ModelGraph {
  const inits = constantWeightInits(root, graph, scopes);
  const nodes = graph.nodes.map((node) => {
    const annotated = annotateNode(root, node, scopes);
    const init = inits.get(node.id);
    return init ? { ...annotated, init } : annotated;
  });
  return { ...graph, nodes };
}

function annotateNode(root: SyntaxNode, node: GraphNode, scopes: PyScopes): GraphNode {
  // Ops written in an imported file are shown at the call that runs them here: nothing here describes them.
  if (node.category === 'input' || node.origin !== undefined) return node;
  const syntax = syntaxAt(root, node.range);
  const call = syntax?.type === 'call' ? syntax : undefined;
  const edits: { -readonly [K in keyof NodeEdits]: NodeEdits[K] } = { ...node.edits };
  const extra: { -readonly [K in 'modeSwitch' | 'implicitDim' | 'onlyIn']?: GraphNode[K] } = {};
  const info = Ops.info(node.op);
  const item = call ? sequentialItem(call, scopes) : undefined;

  if (call && (node.category === 'activation' || node.category === 'regularization')) {
    const remove = item ? removeItem(call) : unwrapCall(call, functionStyle(call, scopes));
    if (remove) edits.remove = remove;
  }
  if (info.normalizesOverDim) {
    extra.implicitDim = node.attrs.dim === undefined || node.attrs.dim === null;
    if (extra.implicitDim) {
      const target = node.layerId ? syntaxAt(root, node.defRange ?? node.range) : call;
      const edit = target?.type === 'call' ? appendArgument(target, 'dim=-1') : undefined;
      if (edit) edits.setLastDim = { description: 'normalize over the last dimension (dim=-1)', edits: [edit] };
    }
  }
  if (node.category === 'regularization') {
    if (node.layerId) {
      extra.modeSwitch = 'model';
    } else if (call) {
      const { args, kwargs } = callArguments(call);
      const path = scopes.resolvePath(call.childForFieldName('function')?.text ?? '');
      const flag = kwargs.get('training') ?? kwargs.get('train') ?? args[2];
      if (!flag) {
        // torch.dropout(input, p, train) has no default; F.dropout's `training` defaults to True.
        extra.modeSwitch = path.startsWith('torch.nn.functional.') || path.endsWith('.dropout') ? 'default' : 'unknown';
      } else if (flag.type === 'true' || flag.type === 'false') {
        extra.modeSwitch = 'constant';
      } else {
        extra.modeSwitch = /^self\.training$/.test(flag.text) ? 'model' : 'unknown';
      }
      if (extra.modeSwitch === 'default' && hasSelf(call, scopes)) {
        const edit = appendArgument(call, 'training=self.training');
        if (edit) edits.followTrainingMode = { description: 'pass training=self.training', edits: [edit] };
      }
    }
  }
  if (node.category === 'affine' && node.attrs.bias === true && node.defRange) {
    const ctor = syntaxAt(root, node.defRange);
    if (ctor?.type === 'call') {
      const disable = disableBias(ctor, node.op);
      if (disable) edits.disableBias = disable;
    }
  }
  if (syntax) {
    const mode = trainingBranch(syntax);
    if (mode) extra.onlyIn = mode;
  }
  const hasEdits = Object.keys(edits).length > 0;
  return { ...node, ...extra, ...(hasEdits ? { edits } : {}) };
}

/** The smallest syntax node that spans exactly `range`. */
function syntaxAt(root: SyntaxNode, range: Range): SyntaxNode | undefined {
  let n: SyntaxNode | null = root.descendantForPosition(
    { row: range.start.line, column: range.start.character },
    { row: range.end.line, column: range.end.character },
  );
  while (n) {
    const r = rangeOfNode(n);
    if (r.start.line === range.start.line && r.start.character === range.start.character && r.end.line === range.end.line && r.end.character === range.end.character) {
      // Prefer the outermost node with this exact range (a call rather than its expression statement's child).
      while (n.parent && rangeEquals(rangeOfNode(n.parent), r) && n.parent.type === 'call') n = n.parent;
      return n;
    }
    if (r.start.line < range.start.line || (r.start.line === range.start.line && r.start.character < range.start.character)) return undefined;
    n = n.parent;
  }
  return undefined;
}

function rangeEquals(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Whether a call is written as a function of its input (`F.softmax(x)`, `self.act(x)`) rather than a method on it. */
function functionStyle(call: SyntaxNode, scopes: PyScopes): boolean {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'attribute') return true;
  const object = fn.childForFieldName('object')?.text ?? '';
  if (object === 'self' || /^self\.[A-Za-z_][A-Za-z0-9_.]*$/.test(object)) return true;
  return /^(torch|keras|tensorflow)(\.|$)/.test(scopes.resolvePath(object));
}

/** When the call is an item of an `nn.Sequential(...)`, that Sequential call. */
function sequentialItem(call: SyntaxNode, scopes: PyScopes): SyntaxNode | undefined {
  const list = call.parent;
  const outer = list?.parent;
  if (list?.type !== 'argument_list' || outer?.type !== 'call') return undefined;
  const fn = outer.childForFieldName('function')?.text ?? '';
  return scopes.resolvePath(fn) === 'torch.nn.Sequential' ? outer : undefined;
}

/** Removes an item of an argument list with its comma. */
function removeItem(item: SyntaxNode): OpEdit | undefined {
  const siblings = (item.parent?.namedChildren ?? []).filter((c) => c.type !== 'comment');
  const i = siblings.findIndex((s) => s.id === item.id);
  if (i < 0) return undefined;
  const r = rangeOfNode(item);
  const range = i > 0
    ? { start: rangeOfNode(siblings[i - 1]).end, end: r.end }
    : siblings.length > 1 ? { start: r.start, end: rangeOfNode(siblings[1]).start } : r;
  return { description: `remove \`${item.text.replace(/\s+/g, ' ')}\``, edits: [{ range, newText: '' }] };
}

function disableBias(ctor: SyntaxNode, op: string): OpEdit | undefined {
  const { args, kwargs } = callArguments(ctor);
  const given = kwargs.get('bias');
  if (given) return { description: 'construct the layer with bias=False', edits: [{ range: rangeOfNode(given), newText: 'False' }] };
  const position = BIAS_POSITION[op] ?? (op.startsWith('conv') ? CONV_BIAS_POSITION : undefined);
  if (position === undefined || args.length > position) return undefined;
  const edit = appendArgument(ctor, 'bias=False');
  return edit ? { description: 'construct the layer with bias=False', edits: [edit] } : undefined;
}

/** Whether the call is inside a method that has `self`. */
function hasSelf(call: SyntaxNode, scopes: PyScopes): boolean {
  const fn = scopes.scopeOf(call);
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  return fn.type === 'function_definition' && first?.text === 'self';
}

/** `train` or `eval` when the op is inside a branch on `self.training`. */
function trainingBranch(node: SyntaxNode): 'train' | 'eval' | undefined {
  let child: SyntaxNode = node;
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== 'function_definition') {
    if (n.type === 'if_statement') {
      const cond = n.childForFieldName('condition')?.text.replace(/\s+/g, ' ') ?? '';
      const positive = /^self\.training$/.test(cond);
      const negative = /^not self\.training$/.test(cond);
      if (positive || negative) {
        const inConsequence = n.childForFieldName('consequence')?.id === child.id;
        return inConsequence === positive ? 'train' : 'eval';
      }
    }
    child = n;
    n = n.parent;
  }
  return undefined;
}

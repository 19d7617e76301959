// The TF.js frontend's value domain (`JV`: what a JavaScript expression can be: numbers, strings, arrays, objects,
// functions with their closures, symbolic tensors, layers, models), its lexical scopes, and the helpers every part of
// the frontend reads syntax and values through.

import { rangeOfSyntax, type SyntaxNode } from '../syntax';
import type { ActivationInsertion, AttrValue, OpEdit, Range } from '../graph';
import { type ScalarValue, attrOf, truthOf } from '../abstractValues';
import { type CompiledLoss, KerasGraph, type KerasLayer, type ModelObject, optionEdit } from '../keras/kerasGraph';
export const MAX_UNROLL = 64;
export const MAX_DEPTH = 24;
export const MAX_STEPS = 20000;

export const rangeOf = rangeOfSyntax;

export type ModelObj = ModelObject<JV>;

export interface ObjectValue {
  readonly kind: 'object';
  readonly entries: Map<string, JV>;
  /** The value node of each key as written, for activation ranges and edits. */
  readonly valueNodes: Map<string, SyntaxNode>;
  readonly node?: SyntaxNode;
}

export type JV =
  | ScalarValue
  /** `sources`: for an array literal in the analysed file, the syntax each item comes from (a spread for all it spreads). */
  | { readonly kind: 'list'; readonly items: JV[]; readonly sources?: readonly SyntaxNode[] }
  | ObjectValue
  | { readonly kind: 'tensor'; readonly graph: KerasGraph; readonly node: number }
  | { readonly kind: 'layer'; readonly layer: KerasLayer }
  | { readonly kind: 'model'; readonly model: ModelObj }
  | { readonly kind: 'path'; readonly path: string }
  /** `origin`: the file the function is written in, when it is not the analysed one. */
  | { readonly kind: 'function'; readonly node: SyntaxNode; readonly closure: Scope; readonly origin?: string }
  /**
   * A name imported from a module Model Audit cannot read (an npm package, a file outside the workspace), or what
   * calling it built: applied to tensors it is one named opaque block.
   */
  | { readonly kind: 'external'; readonly module: string; readonly label: string; readonly built?: boolean };

export const UNKNOWN: JV = { kind: 'unknown' };
export const NONE: JV = { kind: 'none' };

/** The value as a graph attribute; a `null` in a shape is an unknown dimension. */
export function toAttr(v: JV): AttrValue {
  return attrOf(v, true);
}

/** Objects, tensors, layers, models and functions are true; so is every array, empty or not (JavaScript's truth). */
export const OBJECTS: ReadonlySet<string> = new Set(['object', 'tensor', 'layer', 'model', 'function']);

export function truthy(v: JV): boolean | undefined {
  return v.kind === 'list' ? true : truthOf(v, OBJECTS);
}

/** A lexical scope: `const`/`let` bindings with a parent. */
export class Scope {
  private readonly vars = new Map<string, JV>();
  constructor(readonly parent?: Scope) {}
  get(name: string): JV | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  declare(name: string, v: JV): void {
    this.vars.set(name, v);
  }
  assign(name: string, v: JV): void {
    let s: Scope | undefined = this;
    while (s) {
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
      s = s.parent;
    }
    this.vars.set(name, v);
  }
}

export interface Flow {
  returned?: JV;
  broke?: boolean;
}

export class StopRun extends Error {}

export const TFJS_MODULE = /^@tensorflow\/tfjs(-node(-gpu)?|-layers|-core)?$/;

/** What a workspace module exports, after running its top level: ES `export`s and CommonJS `module.exports`. */
export interface JsModule {
  readonly named: Map<string, JV>;
  readonly defaultExport?: JV;
  /** `module.exports` when the module assigned it (CommonJS). */
  readonly commonJs?: JV;
}

/** A module specifier that names a file (`./blocks.js`, `../layers`), not a package. */
export const RELATIVE = /^\.{1,2}(\/|$)|^\//;

/** The top-level function (declaration, or arrow function bound by a top-level const) that contains a node. */
export function isTopLevelFunction(fn: SyntaxNode, root: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null = fn;
  let top: SyntaxNode | undefined;
  // Tree-sitter hands out a fresh object per access, so nodes are compared by id.
  while (node && node.id !== root.id) {
    if (node.type === 'function_declaration' || node.type === 'arrow_function' || node.type === 'function_expression') top = node;
    node = node.parent;
  }
  return top;
}

/** The names a declaration binds: `function f`, `class C`, `const a = …, b = …`. */
export function declaredNames(decl: SyntaxNode): string[] {
  if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
    return decl.namedChildren.filter((d) => d.type === 'variable_declarator').map((d) => d.childForFieldName('name')).filter((n) => n?.type === 'identifier').map((n) => n!.text);
  }
  const name = decl.childForFieldName('name')?.text;
  return name ? [name] : [];
}

export function stringValue(node: SyntaxNode): string | undefined {
  if (node.type !== 'string') return undefined;
  return node.namedChildren.filter((c) => c.type === 'string_fragment' || c.type === 'escape_sequence').map((c) => c.text).join('');
}

export function tensorsIn(values: readonly JV[]): { graph: KerasGraph; node: number }[] {
  const out: { graph: KerasGraph; node: number }[] = [];
  for (const v of values) {
    if (v.kind === 'tensor') out.push(v);
    else if (v.kind === 'list') out.push(...tensorsIn(v.items));
  }
  return out;
}

/** The losses given to `compile({loss})`, with where each is named and which output it is for. */
export function compiledLosses(v: JV | undefined, node: SyntaxNode | undefined, fallback: Range): CompiledLoss[] {
  const out: CompiledLoss[] = [];
  const one = (x: JV, n: SyntaxNode | undefined, output?: number | string) => {
    const range = n ? rangeOf(n) : fallback;
    const at = output === undefined ? {} : { output };
    if (x.kind === 'str') out.push({ name: x.value, fromLogits: false, range, ...at });
    else if (x.kind === 'path') out.push({ name: x.path.split('.').pop() ?? x.path, fromLogits: false, range, ...at });
  };
  if (!v) return out;
  if (v.kind === 'list') {
    const itemNodes = node?.type === 'array' ? node.namedChildren.filter((c) => c.type !== 'comment') : [];
    v.items.forEach((x, i) => one(x, itemNodes[i], i));
  } else if (v.kind === 'object') {
    for (const [k, x] of v.entries) one(x, v.valueNodes.get(k), k);
  } else {
    one(v, node);
  }
  return out;
}

/** `activation: 'relu'`: replaces `activation: 'linear'`, or adds the key after the config's last property. */
export function activationInsertion(config: ObjectValue | undefined, configNode: SyntaxNode | undefined, node: SyntaxNode): ActivationInsertion | undefined {
  const object = configNode?.type === 'object' ? configNode : undefined;
  return optionEdit({ key: 'activation', sep: ': ', value: "'relu'" }, config?.valueNodes.get('activation'), object, node.text, true);
}

/** `useBias: false`: replaces `useBias: true`, or adds the key after the config's last property. */
export function biasRemoval(config: ObjectValue | undefined, configNode: SyntaxNode | undefined, node: SyntaxNode): OpEdit | undefined {
  const existing = config?.valueNodes.get('useBias');
  // `{ useBias }` names a variable: there is no value here to replace.
  if (existing?.type === 'shorthand_property_identifier') return undefined;
  const object = configNode?.type === 'object' ? configNode : undefined;
  return optionEdit({ key: 'useBias', sep: ': ', value: 'false' }, existing, object, node.text);
}

export function statementOf(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode = node;
  while (current.parent && current.parent.type !== 'statement_block' && current.parent.type !== 'program') current = current.parent;
  return current;
}

export function functionName(fn: SyntaxNode): SyntaxNode | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own;
  // `const buildModel = () => …`
  const parent = fn.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name') ?? undefined;
  return undefined;
}

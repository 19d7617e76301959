// What the frontends' abstract value domains have in common. Each frontend interprets code over its own value type
// (PyTorch's `Value`, Keras's `KV`, TF.js's `JV`), but all of them share the same scalars and sequences: numbers,
// strings, booleans, None, named sizes, lists and tuples. Reading a literal, a value's truth, plain arithmetic and a
// value as a graph attribute are the same in every frontend, so they live here once; each function takes any value
// with a `kind` and only looks at the shared kinds, leaving the framework's own kinds to its caller.

import type { AttrValue, Dim } from './graph';
import type { SyntaxNode } from './syntax';

/**
 * The scalars of the Keras and TF.js value types, which are exactly these (PyTorch's add how a number was written and
 * which default a boolean comes from, so its `Value` spells them itself, compatibly).
 */
export type ScalarValue =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  /** A scalar whose value is not known; its name is used as a symbolic dimension. */
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'unknown' };

/** The kinds every frontend's value type spells the same way. */
export type SharedValue = ScalarValue | { readonly kind: 'list' | 'tuple'; readonly items: readonly { readonly kind: string }[] };

/** Any frontend's value: only its `kind` is known here. */
export interface AnyValue {
  readonly kind: string;
}

/** The value seen through the kinds all frontends share (its other kinds fall through every switch here). */
function shared(v: AnyValue): SharedValue {
  return v as SharedValue;
}

/** What a literal can be. */
export type LiteralValue = Exclude<SharedValue, { readonly kind: 'sym' | 'list' | 'tuple' }>;

/** A Python literal: an integer, a float, a string without interpolation, True, False or None; else unknown. */
export function pythonLiteral(node: SyntaxNode): LiteralValue {
  switch (node.type) {
    case 'integer':
    case 'float': {
      const v = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(v) ? { kind: 'num', value: v } : { kind: 'unknown' };
    }
    case 'string': {
      if (node.namedChildren.some((c) => c.type === 'interpolation')) return { kind: 'unknown' };
      return { kind: 'str', value: node.namedChildren.filter((c) => c.type === 'string_content').map((c) => c.text).join('') };
    }
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    case 'none':
      return { kind: 'none' };
    default:
      return { kind: 'unknown' };
  }
}

/**
 * A value's truth as a condition sees it: known for scalars and sequences, true for the framework's objects named in
 * `objects` (a tensor, a layer, a model), undefined for anything else (a name whose value is not known).
 */
export function truthOf(v: AnyValue, objects: ReadonlySet<string>): boolean | undefined {
  const s = shared(v);
  switch (s.kind) {
    case 'num':
      return s.value !== 0;
    case 'str':
      return s.value !== '';
    case 'bool':
      return s.value;
    case 'none':
      return false;
    case 'list':
    case 'tuple':
      return s.items.length > 0;
    default:
      return objects.has(v.kind) ? true : undefined;
  }
}

/**
 * A value as a graph attribute (a dimension, a flag, a name, a list of dims); '?' when it is none of these. With
 * `noneDims`, a `None` in a list is an unknown dimension (Keras shapes: `(None, 32)`); without it, a list holding
 * anything but numbers and names is unknown as a whole.
 */
export function attrOf(v: AnyValue, noneDims: boolean): AttrValue {
  const s = shared(v);
  switch (s.kind) {
    case 'num':
    case 'str':
    case 'bool':
      return s.value;
    case 'none':
      return null;
    case 'sym':
      return s.name;
    case 'list':
    case 'tuple': {
      const dims = s.items.map((item) => attrOf(item, noneDims));
      if (!noneDims) return dims.every((d) => typeof d === 'number' || typeof d === 'string') ? (dims as (number | string)[]) : '?';
      return dims.every((d) => typeof d === 'number' || typeof d === 'string' || d === null) ? (dims.map((d) => (d === null ? '?' : d)) as Dim[]) : '?';
    }
    default:
      return '?';
  }
}

/**
 * Arithmetic on two known numbers: `+ - * / // ** %` (Python's and JavaScript's spellings); undefined for any other
 * operator and for a division by zero, which the caller treats as a value that is not known.
 */
export function arithmetic(op: string, x: number, y: number): number | undefined {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return y === 0 ? undefined : x / y;
    case '//':
      return y === 0 ? undefined : Math.floor(x / y);
    case '**':
      return x ** y;
    case '%':
      return y === 0 ? undefined : x % y;
    default:
      return undefined;
  }
}

/**
 * A Python comparison of two values (`ops` is the operator as written, `is not` with its space): `is` / `is not`
 * against None, and `== != < <= > >=` between known scalars. Undefined when the answer is not known.
 */
export function comparePython(ops: string, a: AnyValue, b: AnyValue): boolean | undefined {
  if (ops === 'is' || ops === 'is not') {
    if (b.kind === 'none' && a.kind !== 'unknown' && a.kind !== 'sym') return (a.kind === 'none') === (ops === 'is');
    return undefined;
  }
  const scalar = (v: SharedValue) => (v.kind === 'num' || v.kind === 'str' || v.kind === 'bool' ? v.value : undefined);
  const x = scalar(shared(a));
  const y = scalar(shared(b));
  if (x === undefined || y === undefined) return undefined;
  switch (ops) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    default:
      return undefined;
  }
}

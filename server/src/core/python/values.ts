// The abstract values the PyTorch frontend interprets Python with: enough of Python's data model to follow
// constructors (numbers, strings, lists of layers) and forward passes (tensors as graph node ids).

import { attrOf, truthOf } from '../abstractValues';
import type { AttrValue, Range } from '../graph';
import type { SyntaxNode } from '../syntax';

export interface ClassInfo {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly bases: readonly string[];
  readonly methods: ReadonlyMap<string, SyntaxNode>;
}

/** A layer built by an `nn.*` constructor. */
export interface BuiltinLayer {
  readonly kind: 'builtin';
  readonly op: string;
  readonly attrs: Record<string, AttrValue>;
  readonly defRange: Range;
  /** The constructor call's text, for labels. */
  readonly text: string;
  /** Set when the layer is stored under an attribute; the first path wins (shared layers keep it). */
  path?: string;
  /** The layer whose weight this one uses (`self.decoder.weight = self.encoder.weight`). */
  tiedTo?: BuiltinLayer;
}

export interface SequentialLayer {
  readonly kind: 'sequential';
  readonly items: Layer[];
  /** The source range of each item as written, for edits that insert a layer after it. */
  readonly itemRanges: (Range | undefined)[];
  readonly keys: (string | undefined)[];
  readonly defRange: Range;
  path?: string;
}

export interface ModuleListLayer {
  readonly kind: 'modulelist';
  readonly items: Layer[];
  readonly defRange: Range;
  /** True when the count was not known and one item stands for many. */
  readonly summarized?: boolean;
  path?: string;
}

export interface ModuleDictLayer {
  readonly kind: 'moduledict';
  readonly entries: Map<string, Layer>;
  readonly defRange: Range;
  path?: string;
}

/** An instance of a custom `nn.Module` subclass defined in the file. */
export interface InstanceLayer {
  readonly kind: 'instance';
  readonly cls: ClassInfo;
  readonly attrs: Map<string, Value>;
  /** Where each attribute was assigned in the constructor (`self.fc1 = …`), for unused-layer findings. */
  readonly assignRanges: Map<string, { readonly range: Range; readonly lineRange: Range }>;
  readonly defRange: Range;
  path?: string;
}

export type Layer = BuiltinLayer | SequentialLayer | ModuleListLayer | ModuleDictLayer | InstanceLayer;

/**
 * How a scalar was written, when it is a power of a named size: `math.sqrt(self.d_k)` is d_k^0.5, `head_dim ** -0.5`
 * is head_dim^-0.5. The renderer prints an attention scale as x/√d_k from it rather than as a bare constant.
 */
export interface ScalarForm {
  /** The size as the code names it: `d_k`, `head_dim`, or a number as written. */
  readonly base: string;
  readonly exponent: number;
}

/**
 * A boolean that comes from a default: a parameter's default value, a config field's, a class attribute, a module
 * constant. The frontend shows the model with it flipped as an alternative configuration (`if use_bn=False: …`).
 */
export interface Knob {
  /** The name the default is bound to: `use_bn`. An alternative run sets every default of that name where it is written. */
  readonly name: string;
  /** The default itself. */
  readonly value: boolean;
}

export type Value =
  | { readonly kind: 'num'; readonly value: number; readonly form?: ScalarForm }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean; readonly knob?: Knob }
  | { readonly kind: 'none' }
  /** A scalar whose value is not known; its name is used as a symbolic dimension. */
  | { readonly kind: 'sym'; readonly name: string; readonly form?: ScalarForm }
  | { readonly kind: 'tensor'; readonly node: number }
  /** A learnable tensor (`nn.Parameter`) with its shape when known. */
  | { readonly kind: 'param'; readonly name: string; readonly shape: readonly AttrValue[] }
  | { readonly kind: 'list'; readonly items: Value[] }
  | { readonly kind: 'tuple'; readonly items: readonly Value[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, Value> }
  | { readonly kind: 'layer'; readonly layer: Layer }
  /** An imported module or name: `nn`, `F`, `torch`, `torch.nn.Linear`. */
  | { readonly kind: 'module'; readonly path: string }
  | { readonly kind: 'class'; readonly cls: ClassInfo }
  /** A function or method; a lambda carries the variables it closes over. */
  | { readonly kind: 'function'; readonly node: SyntaxNode; readonly self?: InstanceLayer; readonly closure?: ReadonlyMap<string, Value> }
  | { readonly kind: 'unknown'; readonly text?: string };

export namespace Value {
  export const unknown: Value = { kind: 'unknown' };
  export const none: Value = { kind: 'none' };

  /** The value as a graph attribute (a dimension, a flag or a list of dims); a list with a `None` in it is '?'. */
  export function toAttr(v: Value): AttrValue {
    return attrOf(v, false);
  }

  /** Tensors, layers and parameters are true; scalars and sequences as in Python; anything else is not known. */
  const OBJECTS: ReadonlySet<string> = new Set(['layer', 'tensor', 'param']);

  export function truthiness(v: Value): boolean | undefined {
    return truthOf(v, OBJECTS);
  }
}

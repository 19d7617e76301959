// The op a frontend's graph builder fills in while it interprets code: a `GraphNode` whose range, edits and origin
// may still be moved (to the call in the model's file, for code from an imported file) before the graph is a value.
// The PyTorch builder (`python/extractPytorch.ts`) and the Keras one shared with TF.js (`keras/kerasGraph.ts`) both
// build these.

import type { ActivationInsertion, AttrValue, CallSite, Dim, NodeEdits, OpCategory, Range } from './graph';

export interface MutableNode {
  id: number;
  op: string;
  category: OpCategory;
  inputs: number[];
  attrs: Record<string, AttrValue>;
  module?: string;
  layerId?: string;
  range: Range;
  defRange?: Range;
  label?: string;
  reason?: string;
  insertActivation?: ActivationInsertion;
  edits?: NodeEdits;
  site?: CallSite;
  shape?: readonly Dim[];
  origin?: string;
}

/** What a builder's `emit` is given: the node without its id, its category defaulting to the op's. */
export type NodeDraft = Omit<MutableNode, 'id' | 'category'> & { category?: OpCategory };

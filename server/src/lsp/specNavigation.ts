// What a position in a spec file refers to: the spec model and op under the cursor and the code they are bound
// to. Shared by hover and go-to-definition in spec files.

import type { FileAnalysis } from '../core/analyze';
import { type GraphNode, type ModelGraph, type Position, Range } from '../core/graph';
import type { SpecBinding } from '../core/spec/analyzeSpec';

export interface SpecTarget {
  readonly binding: SpecBinding;
  /** The spec op under the cursor, when there is one. */
  readonly node?: GraphNode;
  /** The code op it is aligned with. */
  readonly codeNode?: GraphNode;
  /** The range in the spec the answer is about. */
  readonly range: Range;
}

function size(r: Range): number {
  return (r.end.line - r.start.line) * 10000 + (r.end.character - r.start.character);
}

export function specTargetAt(analysis: FileAnalysis | undefined, pos: Position): SpecTarget | undefined {
  if (!analysis || analysis.language !== 'model-spec') return undefined;
  for (const binding of analysis.specBindings ?? []) {
    const spec = binding.spec;
    if (!Range.contains(spec.range, pos)) continue;
    if (Range.contains(spec.nameRange, pos)) return { binding, range: spec.nameRange };
    // The smallest op around the cursor: `relu` in `relu(Linear(x, 256))` is the relu, `Linear` the linear.
    const around = spec.nodes.filter((n) => Range.contains(n.range, pos)).sort((a, b) => size(a.range) - size(b.range));
    const onLine = around[0] ?? firstOpOnLine(spec, pos.line);
    if (!onLine) return { binding, range: spec.nameRange };
    const codeId = binding.pairs.get(onLine.id);
    const codeNode = codeId === undefined ? undefined : binding.code?.nodes.find((n) => n.id === codeId);
    return { binding, node: onLine, codeNode, range: onLine.range };
  }
  return undefined;
}

function firstOpOnLine(graph: ModelGraph, line: number): GraphNode | undefined {
  return graph.nodes.filter((n) => n.range.start.line === line && n.category !== 'input').sort((a, b) => size(b.range) - size(a.range))[0] ??
    graph.nodes.find((n) => n.range.start.line === line);
}

/** Where a code op is: its application, or where its layer is built when asked for the definition. */
export function codeRangeOf(node: GraphNode): Range {
  return node.site?.range ?? node.range;
}

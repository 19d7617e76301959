// The TensorFlow.js frontend: interprets a JavaScript or TypeScript program abstractly and turns every
// `tf.sequential(...)` (with its `layers` list and `.add(...)` calls) and `tf.model({inputs, outputs})` (with
// `layer.apply(...)`) into a model graph. Layers share the Keras catalog and runtime (`tf.layers.dense({units,
// activation})` is Keras's `Dense`); `model.compile({loss})` is read for the loss rules. Helpers imported from
// other files of the workspace (`import { denseBlock } from './blocks.js'`, `require('./blocks')`) are followed
// through the edge's resolver and shown at the call in the model's file; anything from outside the workspace (an
// npm package of pretrained models) is a named opaque block. It never throws: what it does not understand becomes
// an opaque op and a hint.

import type { SyntaxNode } from '../syntax';
import type { FrameworkIdioms, FrontendProblem, ModelGraph, Range } from '../graph';
import { hashText } from '../hash';
import { type ImportContext, ModuleLoader } from '../imports';
import {
  KerasGraph,
  functionalModelGraph,
  layerInputShape,
  modelIdentity,
  toModelGraph,
  withLosses,
} from '../keras/kerasGraph';
import { StopRun, type JsModule, type ModelObj, functionName, rangeOf, statementOf } from './tfjsValues';
import { Interpreter } from './tfjsInterpreter';


/**
 * Extracts every TensorFlow.js model in a parsed JavaScript or TypeScript program. With `imports`, helpers imported
 * from other workspace files are followed into those files; without it, they stay named opaque blocks.
 */
export function extractTfjs(root: SyntaxNode, imports?: ImportContext): { models: ModelGraph[] } {
  const interp = new Interpreter(root);
  const loader = new ModuleLoader<JsModule>(imports, (moduleRoot, path) => interp.runModule(moduleRoot, path));
  interp.modules = loader;
  try {
    const models = extractFrom(interp, root);
    const idioms = tfjsIdioms(interp);
    return { models: models.map((m) => ({ ...m, idioms })) };
  } finally {
    loader.dispose();
  }
}

/** How findings about a TF.js model name its fixes, after the name the file gives the library (`tf.layers.flatten()`). */
function tfjsIdioms(interp: Interpreter): FrameworkIdioms {
  const layers = interp.layersSpelling();
  return {
    flatten: `${layers}.flatten()`,
    dense: 'a dense layer',
    noBias: 'useBias: false',
    axis: 'axis',
    channelsFirst: "dataFormat: 'channelsFirst'",
  };
}

function extractFrom(interp: Interpreter, root: SyntaxNode): ModelGraph[] {
  const problems: FrontendProblem[] = [];
  const run = (what: () => void, range: Range) => {
    try {
      what();
    } catch (error) {
      const message = error instanceof StopRun ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
      problems.push({ severity: 'hint', message: `Model Audit: ${message}.`, range });
    }
  };
  run(() => interp.execBlock(root.namedChildren, interp.global), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  // Builder functions nobody calls in this file, run with their default arguments.
  const candidates: SyntaxNode[] = [];
  const collect = (n: SyntaxNode, depth: number) => {
    if (depth > 3) return;
    for (const c of n.namedChildren) {
      if (c.type === 'function_declaration' || c.type === 'arrow_function' || c.type === 'function_expression') candidates.push(c);
      else if (c.type === 'export_statement' || c.type === 'lexical_declaration' || c.type === 'variable_declaration' || c.type === 'variable_declarator') collect(c, depth + 1);
    }
  };
  collect(root, 0);
  for (const fn of candidates) {
    if (interp.executed.has(fn.id) || !/\b(sequential|model)\s*\(/.test(fn.text)) continue;
    run(() => interp.runCandidate({ kind: 'function', node: fn, closure: interp.global }), rangeOf(fn));
  }
  const bySite = new Map<number, ModelObj>();
  for (const m of interp.models) {
    const seen = bySite.get(m.call.startIndex);
    if (seen) seen.losses.push(...m.losses.filter((l) => !seen.losses.some((x) => x.name === l.name && x.range.start.line === l.range.start.line)));
    else bySite.set(m.call.startIndex, m);
  }
  const perCreator = new Map<number | undefined, number>();
  for (const m of bySite.values()) perCreator.set(m.creator?.id, (perCreator.get(m.creator?.id) ?? 0) + 1);
  const models: ModelGraph[] = [];
  for (const m of bySite.values()) {
    run(() => models.push(modelGraphOf(interp, m, perCreator.get(m.creator?.id) === 1)), rangeOf(m.call));
  }
  models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const all = [...interp.problems, ...problems];
  if (all.length > 0 && models.length > 0) models[0] = { ...models[0], problems: [...models[0].problems, ...all] };
  return models;
}

function modelGraphOf(interp: Interpreter, m: ModelObj, soleInCreator: boolean): ModelGraph {
  const fnName = m.creator ? functionName(m.creator) : undefined;
  // A function declaration is shown with its `export`; a function expression by the statement that holds it.
  const creatorDef = m.creator && (m.creator.type === 'function_declaration' ? (m.creator.parent?.type === 'export_statement' ? m.creator.parent : m.creator) : statementOf(m.creator));
  const { name, defNode, nameNode } = modelIdentity(m, creatorDef && fnName ? { def: creatorDef, name: fnName } : undefined, soleInCreator, statementOf);
  const meta = { name, framework: 'tfjs' as const, range: rangeOf(defNode), nameRange: rangeOf(nameNode), textKey: hashText(defNode.text) };
  if (m.kind === 'functional') return functionalModelGraph(m, meta);
  const g = new KerasGraph(interp.run);
  interp.graph = g;
  const first = m.items[0];
  const shape = first?.kind === 'layer' ? layerInputShape(first.layer) : undefined;
  const x = g.input('x', shape, m.itemRanges[0] ?? rangeOf(m.call));
  const out = interp.applyModel(m, g, [x], rangeOf(m.call));
  return withLosses(toModelGraph(g, [x], out.kind === 'tensor' ? [out.node] : [], meta), m.losses);
}

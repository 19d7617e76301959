// The Keras frontend: interprets a Python module abstractly (module-level code, functions that build models,
// subclassed `keras.Model` / `keras.layers.Layer` classes) and turns every Sequential, functional `Model(inputs,
// outputs)` and subclassed model it finds into a model graph. tf.keras, Keras 3 and Keras 2-era spellings
// (`keras.layers.core`, `Convolution2D(32, 3, 3)`, `input_dim=`) are all read. It never throws: what it does not
// understand becomes an opaque op and a hint. Blocks imported from other files of the workspace (`from .blocks
// import conv_block`, a subclassed layer in `models/layers.py`) are followed through the edge's resolver and shown
// at the call in the model's file; names from outside the workspace (keras_cv, tensorflow_hub) are named opaque blocks.

import type { SyntaxNode } from '../syntax';
import type { Dim, FrameworkIdioms, FrontendProblem, LayerDecl, ModelGraph, Range } from '../graph';
import { hashText } from '../hash';
import { type ImportContext, ModuleLoader } from '../imports';
import { Ops } from '../ops';
import { fullLines, rangeOf, referencedOutsideInit } from '../python/interpreter';
import {
  Range0,
  tensorsDeep,
  type ClassInfo,
  type ModelObj,
  StopRun,
  nameLayers,
  statementOf,
  FileScope,
  findMethod,
  isKerasClass,
  type KerasExtraction,
} from './kerasScope';
import { activationOp } from './kerasCatalog';
import {
  type CompiledLoss,
  KerasGraph,
  functionalModelGraph,
  layerInputShape,
  modelIdentity,
  toModelGraph,
  withLosses,
} from './kerasGraph';
import { Interpreter } from './kerasInterpreter';

export type { KerasExtraction } from './kerasScope';


/**
 * Extracts every Keras model in a parsed Python module. With `imports`, blocks imported from other workspace files
 * are followed into those files; without it, they stay named opaque blocks.
 */
export function extractKeras(root: SyntaxNode, imports?: ImportContext): KerasExtraction {
  const loader: ModuleLoader<FileScope> = new ModuleLoader<FileScope>(imports, (moduleRoot, path) => new FileScope(moduleRoot, loader, path));
  try {
    const file = new FileScope(root, loader);
    const idioms = kerasIdioms(file);
    return { models: extractFrom(file).map((m) => ({ ...m, idioms })) };
  } finally {
    loader.dispose();
  }
}

/** How findings about a Keras model name its fixes: after the file's own imports (`layers.Flatten()`). */
function kerasIdioms(file: FileScope): FrameworkIdioms {
  return {
    flatten: file.spellLayer('Flatten'),
    dense: 'a Dense layer',
    noBias: 'use_bias=False',
    axis: 'axis',
    buildSite: '`__init__`',
    applySite: '`call`',
    channelsFirst: "data_format='channels_first'",
  };
}

function extractFrom(file: FileScope): ModelGraph[] {
  const root = file.root;
  const interp = new Interpreter(file);
  const problems: FrontendProblem[] = [];
  const run = (what: () => void, range: Range) => {
    try {
      what();
    } catch (error) {
      const message = error instanceof StopRun ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
      problems.push({ severity: 'hint', message: `Model Audit: ${message}.`, range });
    }
  };
  // 1. The module as a script: module-level models, and the builder functions it calls.
  run(() => interp.execBlock(root, new Map()), Range0);
  // 2. Builder functions nobody calls in this file (a library of models), with their default arguments.
  for (const fn of file.functions.values()) {
    if (interp.executed.has(fn.id) || !/\b(Sequential|Model|Input|Functional)\s*\(/.test(fn.text)) continue;
    run(() => interp.applyFunctionCandidate(fn), rangeOf(fn));
  }
  const models: ModelGraph[] = [];
  // 3. Sequential and functional models, once per construction site.
  const bySite = new Map<string, ModelObj>();
  for (const m of interp.models) {
    const key = `${m.call.startIndex}`;
    const seen = bySite.get(key);
    if (seen) seen.losses.push(...m.losses.filter((l) => !seen.losses.some((x) => x.name === l.name && x.range.start.line === l.range.start.line && x.range.start.character === l.range.start.character)));
    else bySite.set(key, m);
  }
  const perCreator = new Map<number | undefined, number>();
  for (const m of bySite.values()) perCreator.set(m.creator?.id, (perCreator.get(m.creator?.id) ?? 0) + 1);
  for (const m of bySite.values()) {
    run(() => {
      const graph = modelGraphOf(interp, m, perCreator.get(m.creator?.id) === 1);
      if (graph) models.push(graph);
    }, rangeOf(m.call));
  }
  // 4. Subclassed models and layers written in this file (not the ones it imports).
  for (const cls of file.classes.values()) {
    if (cls.scope !== file || !isKerasClass(cls)) continue;
    run(() => {
      const graph = subclassedGraph(file, cls, interp.classLosses.get(cls.name) ?? []);
      if (graph) models.push(graph);
    }, rangeOf(cls.node));
  }
  models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (problems.length > 0 && models.length > 0) models[0] = { ...models[0], problems: [...models[0].problems, ...problems] };
  return models;
}


function modelGraphOf(interp: Interpreter, m: ModelObj, soleInCreator: boolean): ModelGraph | undefined {
  const fnName = m.creator?.childForFieldName('name');
  const { name, defNode, nameNode } = modelIdentity(m, m.creator && fnName ? { def: m.creator, name: fnName } : undefined, soleInCreator, statementOf);
  const meta = { name, framework: 'keras' as const, range: rangeOf(defNode), nameRange: rangeOf(nameNode), textKey: hashText(defNode.text) };
  if (m.kind === 'functional') return functionalModelGraph(m, meta);
  const g = new KerasGraph(interp.run);
  interp.graph = g;
  const first = m.items[0];
  let inputShape: readonly Dim[] | undefined;
  let inputRange = rangeOf(m.call);
  if (first?.kind === 'tensor') {
    inputShape = first.graph.nodes[first.node]?.shape;
    inputRange = m.itemRanges[0] ?? inputRange;
  } else if (first?.kind === 'layer') {
    inputShape = layerInputShape(first.layer);
  }
  const x = g.input('x', inputShape, inputRange);
  const out = interp.applyModel(m, g, [x], rangeOf(m.call));
  return withLosses(toModelGraph(g, [x], out.kind === 'tensor' ? [out.node] : [], meta), m.losses);
}

function subclassedGraph(file: FileScope, cls: ClassInfo, losses: CompiledLoss[]): ModelGraph | undefined {
  const interp = new Interpreter(file);
  const nameNode = cls.node.childForFieldName('name') ?? cls.node;
  const nameRange = rangeOf(nameNode);
  const created = interp.instantiate(cls, { args: [], kwargs: new Map(), kwNodes: new Map(), node: null }, nameRange);
  const meta = { name: cls.name, framework: 'keras' as const, range: rangeOf(cls.node), nameRange, textKey: hashText(cls.node.text) };
  if (created.kind !== 'instance') return undefined;
  const inst = created.inst;
  nameLayers(inst, '');
  const found = findMethod(cls, 'call');
  if (!found) return undefined;
  const call = found.node;
  const g = interp.graph;
  const inputs: number[] = [];
  // A `call` inherited from a class in another file runs as that file's code, shown at the class name here.
  const inherited = found.scope !== file;
  interp.file = found.scope;
  const out = interp.inForeign(found.scope.origin, nameRange, () => interp.invoke(call, [], new Map(), inst, (name, param) => {
    if (param.childForFieldName('value') || name === 'training' || name === 'mask') return undefined;
    const id = g.input(name, undefined, inherited ? nameRange : rangeOf(param));
    inputs.push(id);
    return { kind: 'tensor', graph: g, node: id };
  }));
  interp.file = file;
  const outputs = tensorsDeep(out).filter((t) => t.graph === g).map((t) => t.node);
  const layers: LayerDecl[] = [];
  for (const [attr, v] of inst.attrs) {
    const where = inst.assignRanges.get(attr);
    if (!where) continue;
    if (v.kind === 'layer') {
      const op = v.layer.spec.op || (typeof v.layer.config.activation === 'string' ? activationOp(v.layer.config.activation) ?? 'activation' : 'activation');
      layers.push({ layerId: v.layer.name ?? attr, module: v.layer.name ?? attr, op, category: v.layer.spec.kind === 'activation' ? 'activation' : v.layer.spec.category ?? Ops.category(op), range: where.range, removal: { range: fullLines(where.lineRange), newText: '' }, referenced: interp.applied.has(v.layer) ? true : referencedOutsideInit(cls, attr) });
    } else if (v.kind === 'instance' || v.kind === 'model') {
      const used = interp.applied.has(v.kind === 'instance' ? v.inst : v.model);
      layers.push({ layerId: attr, module: attr, op: v.kind === 'instance' ? v.inst.cls.name : 'sequential', category: 'other', range: where.range, removal: { range: fullLines(where.lineRange), newText: '' }, referenced: used || referencedOutsideInit(cls, attr) });
    }
  }
  return withLosses(toModelGraph(g, inputs, outputs, { ...meta, layers, problems: interp.problems }), losses);
}

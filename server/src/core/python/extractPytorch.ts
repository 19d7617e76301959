// The PyTorch frontend: finds the models in a Python syntax tree (nn.Module subclasses, module-level
// nn.Sequential values and functions that return one) and interprets their constructors and forward passes
// abstractly into model graphs. It never throws: what it does not understand becomes an opaque op and a hint.

import type { SyntaxNode } from '../syntax';
import type { BranchAlternative, FrontendProblem, GraphNode, LayerDecl, LossUse, ModelGraph } from '../graph';
import { MAX_ALTERNATIVES } from '../graph';
import { Ops } from '../ops';
import { hashText } from '../hash';
import { type ImportContext } from '../imports';
import { annotatePytorchGraph } from './annotateGraph';
import { findLossUses } from './lossUses';
import { fullLines, rangeOf, referencedOutsideInit } from './interpreter';
import { PyScopes } from './pyScope';
import { ModuleDependencies, topStatement } from './statementDeps';
import { type Candidate, FileScope, ImportedModules } from './torchScope';
import { type BranchPoint, type Overrides, StopInterpretation } from './torchEvaluator';
import { ModelInterpreter } from './modelInterpreter';
import { callIndex } from './callIndex';
import { type Layer, Value } from './values';

export interface PythonExtraction {
  readonly models: ModelGraph[];
  readonly problems: FrontendProblem[];
  /** With `trainedImports`: the models the file's code builds from classes imported from the workspace. */
  readonly trained?: ModelGraph[];
}

/**
 * Graphs of the last analysis of the same document by dependency key (see statementDeps.ts), and the map this
 * analysis fills for the next one. A model whose key is unchanged is not interpreted again.
 */
export interface ExtractionMemo {
  readonly previous: ReadonlyMap<string, ModelGraph>;
  readonly next: Map<string, ModelGraph>;
}

/**
 * Extracts every PyTorch model in a parsed Python module; with `trainedImports`, also the models its code builds
 * from imported classes (see `trainedImportedModels`), read with the same scope and imports.
 */
export function extractPytorch(root: SyntaxNode, imports?: ImportContext, memo?: ExtractionMemo, trainedImports = false): PythonExtraction {
  const modules = new ImportedModules(imports);
  try {
    const file = FileScope.forFile(root, modules);
    const extraction = extractWith(root, file, modules, memo);
    return trainedImports ? { ...extraction, trained: trainedImportedModels(root, file) } : extraction;
  } finally {
    modules.dispose();
  }
}

/** At most this many imported model classes are built for one file's training code. */
const MAX_IMPORTED_MODELS = 4;

/**
 * The models a training script builds from classes it imports from the workspace (`from model import Net`;
 * `model = Net(...)`), interpreted with their defaults. They are not models of this file (their code is elsewhere
 * and they get no equations or model findings here); the training-code rules read them to know what the script
 * trains, e.g. whether the model it evaluates has dropout or batch norm at all.
 */
function trainedImportedModels(root: SyntaxNode, file: FileScope): ModelGraph[] {
  try {
    const own = new Set(file.modelCandidates().flatMap((c) => (c.kind === 'class' ? [c.cls] : [])));
    // Only classes that come from another file can be built here from an import; most files have none.
    const imported = new Set([...file.classes].filter(([, cls]) => !own.has(cls) && file.originOf(cls.node) !== undefined).map(([name]) => name));
    if (imported.size === 0) return [];
    const built = new Set<string>();
    for (const statement of root.type === 'module' ? root.children : [root]) {
      for (const callee of callIndex(statement).byCallee.keys()) if (built.size < MAX_IMPORTED_MODELS && file.classes.has(callee)) built.add(callee);
    }
    const graphs: ModelGraph[] = [];
    for (const name of built) {
      const cls = file.classes.get(name)!;
      if (!imported.has(name) || !file.isModuleClass(cls, 0)) continue;
      graphs.push({ ...interpretModel(file, { kind: 'class', cls }).graph, name });
    }
    return graphs;
  } catch {
    return [];
  }
}

function candidateNode(candidate: Candidate): SyntaxNode {
  return candidate.kind === 'class' ? candidate.cls.node : candidate.node;
}

function extractWith(root: SyntaxNode, file: FileScope, modules: ImportedModules, memo?: ExtractionMemo): PythonExtraction {
  // A file that looked into the workspace for its imports is read afresh: those files may have changed.
  const deps = memo && !modules.consulted ? ModuleDependencies.of(root) : undefined;
  const keys: (string | undefined)[] = [];
  const reused: boolean[] = [];
  const models: ModelGraph[] = [];
  for (const candidate of file.modelCandidates()) {
    // The candidate itself heads the key: two models can read the very same statements (classes that mention
    // each other through module-level code) and must still not share a graph.
    const closure = deps?.keyFor(topStatement(candidateNode(candidate)));
    const key = closure === undefined ? undefined : `${candidateNode(candidate).id}|${closure}`;
    const known = key !== undefined ? memo?.previous.get(key) : undefined;
    keys.push(key);
    reused.push(known !== undefined);
    models.push(known ?? interpretWithAlternatives(file, candidate));
  }
  if (models.length === 0) return { models, problems: [] };
  try {
    // How each op is written (for the rules and their fixes), and which losses the training code feeds.
    const scopes = PyScopes.of(root);
    const losses = findLossUses(root, models, scopes);
    const annotated = models.map((m, i) => (reused[i] ? m : annotatePytorchGraph(root, m, scopes)));
    keys.forEach((key, i) => key !== undefined && memo?.next.set(key, annotated[i]));
    return { models: annotated.map((m) => (losses.has(m.name) ? withLosses(m, losses.get(m.name)!) : m)), problems: [] };
  } catch {
    return { models, problems: [] };
  }
}

/** A graph with the losses its outputs feed; the same object again while graph and losses are unchanged. */
const lossesAdded = new WeakMap<ModelGraph, { readonly key: string; readonly graph: ModelGraph }>();

function withLosses(graph: ModelGraph, uses: LossUse[]): ModelGraph {
  const key = JSON.stringify(uses);
  const known = lossesAdded.get(graph);
  if (known?.key === key) return known.graph;
  const result = { ...graph, losses: uses.map((u) => u.name), lossUses: uses };
  lossesAdded.set(graph, { key, graph: result });
  return result;
}

/** Assigns attribute paths to every layer reachable from the root instance, breadth first, first path wins. */
function assignPaths(root: Layer): void {
  const queue: [Layer, string][] = [[root, '']];
  const seen = new Set<Layer>();
  while (queue.length > 0) {
    const [layer, path] = queue.shift()!;
    if (seen.has(layer)) continue;
    seen.add(layer);
    if (path && layer.path === undefined) layer.path = path;
    const prefix = path ? `${path}.` : '';
    switch (layer.kind) {
      case 'instance':
        for (const [name, v] of layer.attrs) {
          if (v.kind === 'layer') queue.push([v.layer, `${prefix}${name}`]);
          else if (v.kind === 'param' && !v.name) layer.attrs.set(name, { ...v, name: `${prefix}${name}` });
          else if (v.kind === 'list' || v.kind === 'tuple') v.items.forEach((item, i) => item.kind === 'layer' && queue.push([item.layer, `${prefix}${name}.${i}`]));
        }
        break;
      case 'sequential':
        layer.items.forEach((item, i) => queue.push([item, `${prefix}${layer.keys[i] ?? i}`]));
        break;
      case 'modulelist':
        layer.items.forEach((item, i) => queue.push([item, `${prefix}${i}`]));
        break;
      case 'moduledict':
        for (const [k, item] of layer.entries) queue.push([item, `${prefix}${k}`]);
        break;
      default:
        break;
    }
  }
}

/** The layers built in constructors (`self.x = nn.Linear(...)`), with where each was assigned. */
function collectDecls(root: Layer): LayerDecl[] {
  const decls: LayerDecl[] = [];
  const seen = new Set<Layer>();
  const visit = (layer: Layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.kind === 'instance') {
      for (const [name, v] of layer.attrs) {
        if (v.kind !== 'layer') continue;
        const where = layer.assignRanges.get(name);
        const child = v.layer;
        if (where && child.path && !seen.has(child)) {
          decls.push({
            layerId: child.path,
            module: child.path,
            op: child.kind === 'builtin' ? child.op : child.kind === 'instance' ? child.cls.name : child.kind,
            category: child.kind === 'builtin' ? Ops.category(child.op) : 'other',
            range: where.range,
            removal: { range: fullLines(where.lineRange), newText: '' },
            referenced: referencedOutsideInit(layer.cls, name),
          });
        }
        visit(child);
      }
    } else if (layer.kind === 'sequential' || layer.kind === 'modulelist') {
      layer.items.forEach(visit);
    } else if (layer.kind === 'moduledict') {
      for (const item of layer.entries.values()) visit(item);
    }
  };
  visit(root);
  return decls;
}

/**
 * The model with its defaults (the graph every rule reads), plus the model in each other configuration its code
 * branches on: a boolean default flipped (`use_bn=False`), or, for a condition whose value is not known, each branch
 * the default run did not take. An alternative that computes the same ops as the default is left out.
 */
function interpretWithAlternatives(file: FileScope, candidate: Candidate): ModelGraph {
  const { graph, branches } = interpretModel(file, candidate);
  if (branches.length === 0 || graph.outputs.length === 0) return graph;
  const ordered = [...branches.filter((b) => b.kind === 'knob'), ...branches.filter((b) => b.kind === 'unknown')].slice(0, MAX_ALTERNATIVES);
  const main = structureKey(graph);
  const alternatives: BranchAlternative[] = [];
  for (const branch of ordered) {
    const alt = interpretModel(file, candidate, branch.kind === 'knob' ? { knob: { name: branch.knob.name, value: !branch.knob.value } } : { truths: branch.truths }).graph;
    if (alt.outputs.length === 0 || structureKey(alt) === main) continue;
    const py = (b: boolean) => (b ? 'True' : 'False');
    const labels = branch.kind === 'knob'
      ? { assumed: `${branch.name}=${py(branch.knob.value)}`, when: `${branch.name}=${py(!branch.knob.value)}`, known: true }
      : { assumed: branch.assumed, when: branch.when, known: false };
    alternatives.push({ condition: branch.condition, ...labels, range: branch.range, nodes: alt.nodes, outputs: alt.outputs });
  }
  return alternatives.length > 0 ? { ...graph, alternatives } : graph;
}

/** What an equation is built from: ops, wiring, hyperparameters and modules, without source positions. */
function structureKey(graph: ModelGraph): string {
  return JSON.stringify([graph.outputs, graph.nodes.map((n) => [n.op, n.inputs, n.attrs, n.module ?? '', n.label ?? ''])]);
}

function interpretModel(file: FileScope, candidate: Candidate, overrides?: Overrides): { graph: ModelGraph; branches: readonly BranchPoint[] } {
  const interp = new ModelInterpreter(file, overrides);
  let name: string;
  let defNode: SyntaxNode;
  let nameNode: SyntaxNode | null;
  let outputs: number[] = [];
  let layers: LayerDecl[] = [];
  switch (candidate.kind) {
    case 'class':
      name = candidate.cls.name;
      defNode = candidate.cls.node;
      nameNode = defNode.childForFieldName('name');
      break;
    case 'value':
      name = candidate.name;
      defNode = candidate.node;
      nameNode = candidate.node.namedChildren[0]?.childForFieldName('left') ?? null;
      break;
    case 'function':
      name = candidate.name;
      defNode = candidate.node;
      nameNode = defNode.childForFieldName('name');
      break;
  }
  const nameRange = nameNode ? rangeOf(nameNode) : rangeOf(defNode);
  try {
    let root: Value;
    if (candidate.kind === 'class') {
      root = interp.instantiate(candidate.cls, [], new Map(), nameRange);
    } else if (candidate.kind === 'value') {
      root = interp.eval(candidate.valueNode, new Map());
    } else {
      interp.rootFunction = candidate.node;
      root = interp.invoke(candidate.node, [], new Map(), undefined);
    }
    if (root.kind === 'layer') {
      assignPaths(root.layer);
      if (root.layer.kind === 'instance') layers = collectDecls(root.layer);
      const out = interp.runForward(root.layer, root.layer.kind === 'instance' ? root.layer : undefined, nameRange);
      outputs = tensorsOf(out);
    } else {
      interp.hint(`Model Audit could not build \`${name}\`.`, nameRange);
    }
  } catch (error) {
    const message = error instanceof StopInterpretation ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
    interp.hint(`\`${name}\`: ${message}.`, nameRange);
  }
  const nodes = interp.nodes as GraphNode[];
  const graph: ModelGraph = {
    name,
    framework: 'pytorch',
    range: rangeOf(defNode),
    nameRange,
    nodes,
    inputs: nodes.filter((n) => n.category === 'input').map((n) => n.id),
    outputs,
    layers,
    problems: dedupeProblems(interp.problems),
    textKey: hashText(defNode.text),
  };
  return { graph, branches: interp.branches };
}

function tensorsOf(v: Value): number[] {
  if (v.kind === 'tensor') return [v.node];
  if (v.kind === 'tuple' || v.kind === 'list') return v.items.flatMap(tensorsOf);
  if (v.kind === 'dict') return [...v.entries.values()].flatMap(tensorsOf);
  return [];
}

function dedupeProblems(problems: FrontendProblem[]): FrontendProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.range.start.line}:${p.range.start.character}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Finds repeated structure in a model graph: the same submodule (a ResNet block, a transformer layer) applied in
// several places, so the renderer can define it once (Block(z) = z + W₂·GELU(W₁·LN(z))) and reuse it by name
// (Block⁶(x)). Framework-neutral: it reads module paths, source ranges and ops, nothing a frontend would not give.

import { ModelGraph, Range } from '../graph';

/** One application of a submodule: a run of nodes in evaluation order with a single value in and a single value out. */
export interface BlockInstance {
  /** The submodule's attribute path: `blocks.3`, `layer2.0`, `encoder`. */
  readonly prefix: string;
  /** The ids of its nodes, in evaluation order. */
  readonly nodes: readonly number[];
  /** The one value it reads from outside. */
  readonly entry: number;
  /** The one value read outside it. */
  readonly exit: number;
  /** Identifies the run of ops this instance was cut from; instances cut from one run are alternatives. */
  readonly run: string;
}

/** Instances with the same structure, named once. */
export interface BlockGroup {
  /** A function name: the class that computes it when the file defines one, else from the attribute path. */
  readonly name: string;
  readonly instances: readonly BlockInstance[];
}

/** A nested group is named even when only one of its instances is visible, if it is at least this many ops. */
const NESTED_MIN_OPS = 5;
/** Two applications of a block are named only when they cover at least this many ops together. */
const MIN_FOLDED_OPS = 12;
/** How many trailing functional ops an instance may take over; each count is tried, longest first. */
const MAX_TRAILING = 8;

/**
 * The groups of structurally identical submodule applications, outermost first. `library` holds the other models
 * of the same file; a group computed by one of their classes takes that class's name.
 */
export function findRepeatedBlocks(graph: ModelGraph, library: readonly ModelGraph[] = []): BlockGroup[] {
  const consumers = ModelGraph.consumers(graph);
  const outputs = new Set(graph.outputs);
  const instances = [...candidatePrefixes(graph)].flatMap(([prefix, span]) => runsOf(graph, prefix, span, consumers, outputs));
  const bySignature = new Map<string, BlockInstance[]>();
  for (const instance of instances) {
    const key = signature(graph, instance);
    const list = bySignature.get(key) ?? [];
    // Two prefixes can name the same run (a wrapper module with a single child); keep the outer one.
    if (!list.some((other) => sameNodes(other, instance))) list.push(instance);
    bySignature.set(key, list);
  }
  const candidates = [...bySignature.values()]
    .filter((list) => new Set(list.map((i) => i.run)).size >= 2)
    .sort((a, b) => b[0].nodes.length - a[0].nodes.length || a[0].nodes[0] - b[0].nodes[0]);

  const accepted: BlockInstance[][] = [];
  for (const list of candidates) {
    const taken = accepted.flat();
    const takenRuns = new Set(taken.map((i) => i.run));
    const kept = list.filter((inst) => !takenRuns.has(inst.run) && taken.every((other) => disjoint(inst, other) || (contains(other, inst) && !sameNodes(other, inst))));
    // Naming pays off for three or more applications, or for two big ones; two small ones read better inline.
    if (kept.length < 2 || (kept.length < 3 && kept.length * kept[0].nodes.length < MIN_FOLDED_OPS)) continue;
    // Instances inside later applications of an outer block are not printed: only the outer block's first one is.
    const hidden = (inst: BlockInstance) => accepted.some((outer) => outer.slice(1).some((o) => contains(o, inst)));
    const visible = kept.filter((inst) => !hidden(inst)).length;
    if (visible >= 2 || (visible === 1 && kept[0].nodes.length >= NESTED_MIN_OPS)) accepted.push(kept);
  }

  const names = new Set<string>();
  const groups: BlockGroup[] = [];
  const owners = accepted.map((list) => classFor(graph, list[0], library));
  // Two variants of one class (a block with and without a projection shortcut): the one that computes what the
  // class computes with its default arguments keeps the plain name, the other gets a prime.
  const order = accepted.map((_, i) => i).sort((a, b) => Number(!matchesDefault(accepted[a], owners[a])) - Number(!matchesDefault(accepted[b], owners[b])));
  const named = new Map<number, BlockGroup>();
  for (const i of order) {
    const list = accepted[i];
    const owner = owners[i];
    let name = owner?.name;
    if (name === undefined) {
      // A name made from the attribute path must not suggest more than it says: when stage1 and stage4 match but
      // stage2 does not, "Stage" would read as every stage, so the group is left inline.
      name = nameFromPath(list[0].prefix);
      const fallback = name;
      const elsewhere = (other: BlockInstance) => list.every((inst) => inst.run !== other.run && disjoint(inst, other));
      if (instances.some((other) => nameFromPath(other.prefix) === fallback && elsewhere(other))) continue;
      // Applications under different names (enc1, bottleneck, dec2) share no name but the generic one.
      if (list.some((inst) => nameFromPath(inst.prefix) !== fallback)) name = 'Block';
    }
    while (names.has(name)) name += "'";
    names.add(name);
    named.set(i, { name, instances: list });
  }
  for (let i = 0; i < accepted.length; i++) if (named.has(i)) groups.push(named.get(i)!);
  return groups;
}

/** Where a prefix's ops lie in `graph.nodes`: the positions of the first and the last. */
interface Span {
  readonly first: number;
  last: number;
}

/**
 * Every strict prefix of a module path (`blocks.0.attn.q` gives `blocks`, `blocks.0` and `blocks.0.attn`), in order
 * of first use, with the span of its ops, so each prefix's runs are looked for there and not over the whole graph.
 */
function candidatePrefixes(graph: ModelGraph): Map<string, Span> {
  const prefixes = new Map<string, Span>();
  graph.nodes.forEach((node, position) => {
    if (!node.module) return;
    const parts = node.module.split('.');
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('.');
      const span = prefixes.get(prefix);
      if (span) span.last = position;
      else prefixes.set(prefix, { first: position, last: position });
    }
  });
  return prefixes;
}

/**
 * The applications of the submodule at `prefix`: maximal runs of its ops (with the functional ops between them),
 * split where its first layer runs again (one instance applied twice), then extended over trailing functional ops
 * that read only the run (the `F.relu(out)` that ends a block's forward).
 */
function runsOf(graph: ModelGraph, prefix: string, span: Span, consumers: Map<number, number[]>, outputs: Set<number>): BlockInstance[] {
  const runs: { nodes: number[]; trailing: number[] }[] = [];
  let current: { nodes: number[]; trailing: number[]; first: string } | undefined;
  const close = () => {
    if (current) runs.push({ nodes: current.nodes, trailing: current.trailing });
    current = undefined;
  };
  const dotted = `${prefix}.`;
  // Before the span nothing is under the prefix; after it, the first op of another module ends the last run.
  for (let position = span.first; position < graph.nodes.length; position++) {
    const node = graph.nodes[position];
    if (node.category === 'input') continue;
    if (position > span.last && node.module !== undefined) break;
    if (node.module !== undefined && node.module.startsWith(dotted)) {
      if (current && node.module === current.first) close();
      if (!current) current = { nodes: [], trailing: [], first: node.module! };
      current.nodes.push(...current.trailing, node.id);
      current.trailing = [];
    } else if (node.module === undefined && current) {
      current.trailing.push(node.id);
    } else {
      close();
    }
  }
  close();

  const result: BlockInstance[] = [];
  runs.forEach((run, r) => {
    const core = new Set(run.nodes);
    // A trailing op may read the block's own input too: the residual `out + identity` that ends a ResNet block.
    const coreEntries = new Set(run.nodes.flatMap((id) => ModelGraph.node(graph, id).inputs).filter((i) => !core.has(i)));
    const trailing: number[] = [];
    const members = new Set(core);
    for (const id of run.trailing.slice(0, MAX_TRAILING)) {
      if (!ModelGraph.node(graph, id).inputs.every((i) => members.has(i) || (coreEntries.size === 1 && coreEntries.has(i)))) break;
      members.add(id);
      trailing.push(id);
    }
    // The last application of a block may be followed by the parent's own functional ops (pooling, a view): each
    // shorter extension is an alternative, and grouping keeps the one that matches the other applications.
    for (let take = trailing.length; take >= 0; take--) {
      const nodes = [...run.nodes, ...trailing.slice(0, take)];
      const instance = instanceOf(graph, prefix, `${prefix}#${r}`, nodes, consumers, outputs);
      if (instance) result.push(instance);
    }
  });
  return result;
}

function instanceOf(graph: ModelGraph, prefix: string, run: string, nodes: number[], consumers: Map<number, number[]>, outputs: Set<number>): BlockInstance | undefined {
  if (nodes.length < 2) return undefined;
  const members = new Set(nodes);
  const entries = new Set<number>();
  for (const id of nodes) for (const i of ModelGraph.node(graph, id).inputs) if (!members.has(i)) entries.add(i);
  const exits = nodes.filter((id) => outputs.has(id) || (consumers.get(id) ?? []).some((c) => !members.has(c)));
  if (entries.size !== 1 || exits.length !== 1) return undefined;
  return { prefix, nodes, entry: [...entries][0], exit: exits[0], run };
}

/**
 * What the rendering of an instance depends on: each op with the attributes the equation prints, how the ops are
 * wired (relative to the instance, the entry as `z`), the layers' attribute names, which ops share a layer, and
 * which op is the exit. Widths are left out: two blocks of different widths are the same function with differently
 * shaped parameters.
 */
function signature(graph: ModelGraph, instance: BlockInstance): string {
  const local = new Map(instance.nodes.map((id, i) => [id, i]));
  const firstOfLayer = new Map<string, number>();
  const parts = instance.nodes.map((id, i) => {
    const n = ModelGraph.node(graph, id);
    const inputs = n.inputs.map((input) => (input === instance.entry ? 'z' : String(local.get(input)))).join(',');
    let shared = '';
    if (n.layerId !== undefined) {
      const first = firstOfLayer.get(n.layerId);
      if (first === undefined) firstOfLayer.set(n.layerId, i);
      else shared = `=${first}`;
    }
    const factor = typeof n.attrs.factor === 'number' ? `*${n.attrs.factor}` : '';
    const opaque = n.op === 'opaque' ? `«${n.label ?? ''}»` : '';
    // The attribute name inside the block (`fc1`, `attn.query`): an encoder and a decoder of the same shape are
    // different classes, and their names say so.
    const attribute = n.module?.startsWith(`${instance.prefix}.`) ? `@${n.module.slice(instance.prefix.length + 1)}` : '';
    return `${n.op}${attribute}${n.attrs.bias === false ? '/nobias' : ''}${factor}${opaque}${shared}(${inputs})`;
  });
  return `${parts.join(';')}→${local.get(instance.exit)}`;
}

function sameNodes(a: BlockInstance, b: BlockInstance): boolean {
  return a.nodes.length === b.nodes.length && a.nodes.every((id, i) => id === b.nodes[i]);
}

/** Each instance's nodes as a set, built once: grouping compares every candidate with every accepted instance. */
const nodeSets = new WeakMap<BlockInstance, ReadonlySet<number>>();

function nodeSet(instance: BlockInstance): ReadonlySet<number> {
  let set = nodeSets.get(instance);
  if (!set) {
    set = new Set(instance.nodes);
    nodeSets.set(instance, set);
  }
  return set;
}

function disjoint(a: BlockInstance, b: BlockInstance): boolean {
  const set = nodeSet(b);
  return a.nodes.every((id) => !set.has(id));
}

/** Whether `outer` contains every node of `inner`. */
function contains(outer: BlockInstance, inner: BlockInstance): boolean {
  const set = nodeSet(outer);
  return inner.nodes.every((id) => set.has(id));
}

/**
 * The class whose forward computes the instance: another model of the same file whose definition contains the
 * instance's last op and which has every layer the instance uses (so a Sequential built inside a class is not
 * mistaken for the class itself). The innermost such class wins.
 */
function classFor(graph: ModelGraph, instance: BlockInstance, library: readonly ModelGraph[]): ModelGraph | undefined {
  const exit = ModelGraph.node(graph, instance.exit);
  const relative = instance.nodes
    .map((id) => ModelGraph.node(graph, id).module)
    .filter((m): m is string => m !== undefined)
    .map((m) => m.slice(instance.prefix.length + 1));
  let best: ModelGraph | undefined;
  for (const other of library) {
    if (other.name === graph.name || !Range.contains(other.range, exit.range.start)) continue;
    const known = new Set([...other.layers.map((l) => l.module), ...other.nodes.map((n) => n.module).filter((m): m is string => m !== undefined)]);
    if (!relative.every((m) => known.has(m))) continue;
    if (!best || Range.contains(best.range, other.range.start)) best = other;
  }
  return best && /^[A-Za-z][A-Za-z0-9]*$/.test(best.name) ? best : undefined;
}

/** Whether a group's instances have as many ops as its class has when built with its default arguments. */
function matchesDefault(list: readonly BlockInstance[], owner: ModelGraph | undefined): boolean {
  return owner !== undefined && owner.nodes.filter((n) => n.category !== 'input').length === list[0].nodes.length;
}

/** `blocks.3` → Block, `encoder.layers.0` → Layer, `layer2.1` → Layer, `attn` → Attn. */
export function nameFromPath(prefix: string): string {
  const parts = prefix.split('.').filter((p) => !/^\d+$/.test(p));
  const last = (parts[parts.length - 1] ?? 'block').replace(/\d+$/, '').replace(/[^A-Za-z0-9]/g, '') || 'Block';
  const singular = /[^s]s$/.test(last) ? last.slice(0, -1) : last;
  return singular[0].toUpperCase() + singular.slice(1);
}

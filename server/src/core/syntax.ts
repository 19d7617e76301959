// A plain-JavaScript mirror of a tree-sitter syntax tree. Frontends walk the tree many times (scopes, models,
// losses, training loops); each property read on a web-tree-sitter node crosses into WASM and allocates, which made
// analysis of a 2,000-line file cost hundreds of milliseconds. The mirror is built in one cursor pass, then every
// walk is ordinary object access. It implements the subset of web-tree-sitter's Node API the frontends use, so a
// frontend typed against `SyntaxNode` accepts either.

import type { Tree, TreeCursor } from 'web-tree-sitter';

export interface Point {
  readonly row: number;
  readonly column: number;
}

/** The part of web-tree-sitter's `Node` that frontends may use. */
export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly text: string;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly lastChild: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  descendantsOfType(types: string | string[]): SyntaxNode[];
  descendantForPosition(start: Point, end?: Point): SyntaxNode | null;
}

class MirrorNode implements SyntaxNode {
  readonly children: MirrorNode[] = [];
  private named?: MirrorNode[];
  private fieldNames?: (string | null)[];
  hasError = false;
  /** Position in pre-order and number of descendants: descendants are exactly the orders (order, order + size]. */
  order = 0;
  size = 0;

  constructor(
    private readonly source: Source,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: MirrorNode | null,
  ) {}

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.source.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.source.point(this.endIndex);
  }

  get namedChildren(): MirrorNode[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  get lastChild(): MirrorNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  setField(index: number, name: string | null): void {
    if (name === null && !this.fieldNames) return;
    this.fieldNames ??= [];
    this.fieldNames[index] = name;
  }

  childForFieldName(name: string): MirrorNode | null {
    if (!this.fieldNames) return null;
    const i = this.fieldNames.indexOf(name);
    return i >= 0 ? this.children[i] : null;
  }

  childrenForFieldName(name: string): MirrorNode[] {
    if (!this.fieldNames) return [];
    const out: MirrorNode[] = [];
    this.fieldNames.forEach((f, i) => {
      if (f === name) out.push(this.children[i]);
    });
    return out;
  }

  descendantsOfType(types: string | string[]): MirrorNode[] {
    // Answered from the tree's index of nodes by type (each list in pre-order), so repeated queries cost a
    // binary search each instead of a walk of the subtree.
    const lists = (typeof types === 'string' ? [types] : types).map((t) => this.source.byType.get(t) ?? []);
    const out: MirrorNode[] = [];
    for (const list of lists) {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].order <= this.order) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < list.length && list[i].order <= this.order + this.size; i++) out.push(list[i]);
    }
    if (lists.length > 1) out.sort((a, b) => a.order - b.order);
    return out;
  }

  descendantForPosition(start: Point, end: Point = start): MirrorNode | null {
    const from = this.source.index(start);
    const to = this.source.index(end);
    let node: MirrorNode = this;
    for (;;) {
      const child = node.children.find((c) => c.startIndex <= from && to <= c.endIndex && (c.startIndex < c.endIndex || from === to));
      if (!child) return node;
      node = child;
    }
  }
}

/** The source text with a line table, to turn offsets into (row, column) points and back. */
class Source {
  private readonly lineStarts: number[] = [0];
  /** Every node by type, in pre-order. */
  readonly byType = new Map<string, MirrorNode[]>();

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  point(index: number): Point {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - this.lineStarts[lo] };
  }

  index(point: Point): number {
    const start = this.lineStarts[Math.min(point.row, this.lineStarts.length - 1)] ?? 0;
    return Math.min(this.text.length, start + point.column);
  }
}

/** Mirrors a parsed tree into plain objects in one cursor pass. `text` must be the text the tree was parsed from. */
/** Ids are unique across every mirrored tree, as web-tree-sitter's are, since frontends key maps by them. */
let nextId = 1;

export function mirrorTree(tree: Tree, text: string): SyntaxNode {
  const source = new Source(text);
  const cursor: TreeCursor = tree.walk();
  if (nextId > Number.MAX_SAFE_INTEGER / 2) nextId = 1;
  const root = new MirrorNode(source, nextId++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, null);
  let parent = root;
  // Depth-first with an explicit parent pointer; each node records its field name in its parent.
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const node = new MirrorNode(source, nextId++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, parent);
      parent.setField(parent.children.length, cursor.currentFieldName);
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        parent = node;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || parent === root) {
          cursor.delete();
          markErrors(root, source);
          return root;
        }
        parent = parent.parent!;
      }
    }
  }
  cursor.delete();
  markErrors(root, source);
  return root;
}

/** Marks errors bottom-up and numbers nodes in pre-order with their subtree sizes, indexing them by type. */
function markErrors(root: MirrorNode, source: Source): boolean {
  // Iterative, so that deeply nested input cannot overflow the stack.
  const stack: [MirrorNode, number][] = [[root, 0]];
  let order = 0;
  root.order = order++;
  indexByType(source, root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.children.length) {
      top[1] = i + 1;
      const child = node.children[i];
      child.order = order++;
      indexByType(source, child);
      stack.push([child, 0]);
      continue;
    }
    stack.pop();
    node.size = order - 1 - node.order;
    node.hasError = node.type === 'ERROR' || node.isMissing || node.children.some((c) => c.hasError);
  }
  return root.hasError;
}

function indexByType(source: Source, node: MirrorNode): void {
  const list = source.byType.get(node.type);
  if (list) list.push(node);
  else source.byType.set(node.type, [node]);
}

// A plain-JavaScript mirror of a tree-sitter syntax tree. Frontends walk the tree many times (scopes, models,
// losses, training loops); each property read on a web-tree-sitter node crosses into WASM and allocates, which made
// analysis of a 2,000-line file cost hundreds of milliseconds. The mirror is built in one cursor pass, then every
// walk is ordinary object access. It implements the subset of web-tree-sitter's Node API the frontends use, so a
// frontend typed against `SyntaxNode` accepts either.
//
// Mirrors are incremental: each top-level statement is a segment whose nodes hold offsets relative to the segment's
// start. Given the previous mirror of the same document, a statement whose text is unchanged (and free of errors)
// reuses its mirrored subtree as is; only its place in the file is updated. Typing inside one class re-mirrors that
// class, not the file. The previous mirror must not be used afterwards: its reused segments now describe the new text.

import type { Tree, TreeCursor } from 'web-tree-sitter';
import type { Range } from './graph';

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

/**
 * How a mirrored module differs from the mirror it was made from, for readers that keep results per top-level
 * statement and can patch the previous module's instead of visiting every statement again: the statements of the
 * previous mirror that are gone, the ones mirrored anew (both in source order; every other statement is the same
 * object as before), and whether any kept statement now starts elsewhere (another line or column).
 */
export interface StatementDelta {
  readonly previous: SyntaxNode;
  readonly removed: readonly SyntaxNode[];
  readonly added: readonly SyntaxNode[];
  readonly moved: boolean;
  /**
   * When the change is one run of statements replaced by another at the same place: the index of its first
   * statement, in the previous module's children and in this one's. Undefined when the changed statements are
   * scattered (after a whole-text mirror of an edit that touched several places).
   */
  readonly at: number | undefined;
}

/** The delta a module's mirror was made with; undefined for a first mirror or a tree-sitter node. */
export function statementDelta(root: SyntaxNode): StatementDelta | undefined {
  return root instanceof MirrorNode ? root.delta : undefined;
}

/** One top-level statement's text, line table and node index; nodes inside it hold offsets relative to its start. */
class Segment {
  /** Where the segment starts in the current text; updated when a later mirror reuses it. */
  base = 0;
  row = 0;
  column = 0;
  source!: Source;
  /** Every node of the segment by type, in pre-order. */
  readonly byType = new Map<string, MirrorNode[]>();

  /** `lineStarts`: the text's line table when the caller has it already (the whole file's, for the root). */
  constructor(
    readonly text: string,
    private readonly lineStarts: readonly number[] = lineStartsOf(text),
  ) {}

  place(source: Source, base: number): void {
    this.source = source;
    this.base = base;
    const p = source.point(base);
    this.row = p.row;
    this.column = p.column;
  }

  /** Places the segment `offset` characters and `rows` lines from where it was, in `source`, on the same column. */
  shift(source: Source, offset: number, rows: number): void {
    this.source = source;
    this.base += offset;
    this.row += rows;
  }

  point(rel: number): Point {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= rel) lo = mid;
      else hi = mid - 1;
    }
    return lo === 0 ? { row: this.row, column: this.column + rel } : { row: this.row + lo, column: rel - starts[lo] };
  }
}

/** A node's range in LSP terms (zero-based lines, UTF-16 columns). */
export function rangeOfSyntax(node: SyntaxNode): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

class MirrorNode implements SyntaxNode {
  readonly children: MirrorNode[] = [];
  private named?: MirrorNode[];
  private fieldNames?: (string | null)[];
  hasError = false;
  /** On a root: whether tree-sitter reported an error for the whole tree, seen among the children or not. */
  treeError = false;
  /** On a root mirrored from a previous one: what changed (see `StatementDelta`). */
  delta?: StatementDelta;
  /** Position in its segment's pre-order and number of descendants: descendants are the orders (order, order + size]. */
  order = 0;
  size = 0;

  constructor(
    readonly segment: Segment,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    private readonly relStart: number,
    private readonly relEnd: number,
    public parent: MirrorNode | null,
  ) {}

  get startIndex(): number {
    return this.segment.base + this.relStart;
  }

  get endIndex(): number {
    return this.segment.base + this.relEnd;
  }

  get text(): string {
    return this.segment.text.slice(this.relStart, this.relEnd);
  }

  get startPosition(): Point {
    return this.segment.point(this.relStart);
  }

  get endPosition(): Point {
    return this.segment.point(this.relEnd);
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
    const wanted = typeof types === 'string' ? [types] : types;
    // The root spans every segment; each segment answers for itself, in document order.
    if (this.segment.source.rootSegment === this.segment) {
      const out: MirrorNode[] = [];
      for (const child of this.children) {
        if (wanted.includes(child.type)) out.push(child);
        for (const d of child.descendantsOfType(wanted)) out.push(d);
      }
      return out;
    }
    // Answered from the segment's index of nodes by type (each list in pre-order), so repeated queries cost a
    // binary search each instead of a walk of the subtree.
    const lists = wanted.map((t) => this.segment.byType.get(t) ?? []);
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
    const source = this.segment.source;
    const from = source.index(start);
    const to = source.index(end);
    let node: MirrorNode = this;
    for (;;) {
      const child = node.children.find((c) => c.startIndex <= from && to <= c.endIndex && (c.startIndex < c.endIndex || from === to));
      if (!child) return node;
      node = child;
    }
  }
}

/** The whole text with a line table, to turn offsets into (row, column) points and back. */
class Source {
  readonly lineStarts: readonly number[];
  rootSegment?: Segment;

  /** `lineStarts`: the text's line table when the caller can derive it from an earlier one. */
  constructor(
    readonly text: string,
    lineStarts?: readonly number[],
  ) {
    this.lineStarts = lineStarts ?? lineStartsOf(text);
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

/** Where each line of `text` starts. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Ids are unique across every mirrored tree, as web-tree-sitter's are, since frontends key maps by them. */
let nextId = 1;

/** A copy of `text` that does not keep the string it was sliced from alive (V8 slices share their parent). */
function detach(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * Mirrors a parsed tree into plain objects in one cursor pass. `text` must be the text the tree was parsed from.
 * With `previous` (the last mirror of the same document), unchanged top-level statements are reused; `previous`
 * must not be read afterwards.
 */
export function mirrorTree(tree: Tree, text: string, previous?: SyntaxNode): SyntaxNode {
  const source = new Source(text);
  // The root spans the file, so its line table is the file's: computed once.
  const rootSegment = new Segment(text, source.lineStarts);
  rootSegment.place(source, 0);
  source.rootSegment = rootSegment;
  // Keyed by the statement's text alone: a slice of the new text is hashed without being copied, where a key
  // built by concatenation would copy the whole file on every edit. The type is checked on a match.
  const reusable = new Map<string, MirrorNode[]>();
  if (previous instanceof MirrorNode && previous.parent === null) {
    for (const child of previous.children) {
      if (child.hasError || child.segment === previous.segment) continue;
      const list = reusable.get(child.segment.text);
      if (list) list.push(child);
      else reusable.set(child.segment.text, [child]);
    }
  }
  const cursor: TreeCursor = tree.walk();
  const kept = new Set<MirrorNode>();
  const addedAt: number[] = [];
  let moved = false;
  if (nextId > Number.MAX_SAFE_INTEGER / 2) nextId = 1;
  const root = new MirrorNode(rootSegment, nextId++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, null);
  try {
    if (cursor.gotoFirstChild()) {
      do {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        root.setField(root.children.length, cursor.currentFieldName);
        const candidates = reusable.size > 0 ? reusable.get(text.slice(start, end)) : undefined;
        const at = candidates ? candidates.findIndex((c) => c.type === cursor.nodeType) : -1;
        const reused = at >= 0 && !cursor.currentNode.hasError ? candidates!.splice(at, 1)[0] : undefined;
        if (reused) {
          const { row, column } = reused.segment;
          reused.segment.place(source, start);
          if (reused.segment.row !== row || reused.segment.column !== column) moved = true;
          kept.add(reused);
          reused.parent = root;
          root.children.push(reused);
        } else {
          const segment = new Segment(detach(text.slice(start, end)));
          segment.place(source, start);
          const node = mirrorSubtree(cursor, segment, root);
          addedAt.push(root.children.length);
          root.children.push(node);
        }
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  if (previous instanceof MirrorNode && previous.parent === null) {
    // The previous root's own delta goes: deltas must not chain every earlier mirror of the document.
    previous.delta = undefined;
    const removedAt = previous.children.flatMap((c, i) => (kept.has(c) ? [] : [i]));
    const run = (indexes: number[]) => indexes.every((index, k) => index === indexes[0] + k);
    const at = run(removedAt) && run(addedAt) && (removedAt.length === 0 || addedAt.length === 0 || removedAt[0] === addedAt[0]) ? (removedAt[0] ?? addedAt[0] ?? 0) : undefined;
    root.delta = { previous, removed: removedAt.map((i) => previous.children[i]), added: addedAt.map((i) => root.children[i]), moved, at };
  }
  root.hasError = root.type === 'ERROR' || root.isMissing || root.children.some((c) => c.hasError);
  // Tree-sitter can charge an error to the module itself (a token it skipped) with no ERROR node among its children;
  // the frontends read the children, but a statement-level reparse must not start from such a tree.
  root.treeError = tree.rootNode.hasError;
  return root;
}

/** Where two texts differ: the common prefix's length and the end of the differing part in each, or undefined if equal. */
export function changedSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  // Compared a block at a time first (string equality of slices is a memory compare), then character by character.
  const BLOCK = 512;
  let start = 0;
  while (start + BLOCK <= max && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  const room = max - start;
  while (suffix + BLOCK <= room && before.slice(before.length - suffix - BLOCK, before.length - suffix) === after.slice(after.length - suffix - BLOCK, after.length - suffix)) suffix += BLOCK;
  while (suffix < room && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/**
 * The mirror of `text` from the previous mirror of the same document when the edit between them lies inside one
 * top-level Python statement: only that statement (with the statement after it, so the parser sees the same
 * lookahead) is parsed again, alone, and spliced in; every other statement keeps its mirrored subtree and is only
 * placed again. Undefined when that cannot be shown to give the same tree as parsing the whole text: the edit spans
 * a statement boundary or touches a statement's first character, a statement does not start a line, the region
 * does not parse cleanly by itself, or its parse does not end with the next statement unchanged. The caller then
 * parses the whole text. As with `mirrorTree`, `previous` must not be read afterwards.
 */
export function remirrorStatement(previous: SyntaxNode, text: string, parse: (text: string) => Tree | undefined): SyntaxNode | undefined {
  if (!(previous instanceof MirrorNode) || previous.parent !== null || previous.type !== 'module' || previous.hasError || previous.treeError) return undefined;
  const old = previous.segment.source;
  const span = changedSpan(old.text, text);
  const kids = previous.children;
  if (!span || kids.length === 0) return undefined;
  // The statement the edit starts in: the last one starting before the first changed character.
  let lo = 0;
  let hi = kids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (kids[mid].startIndex < span.start) lo = mid;
    else hi = mid - 1;
  }
  const at = lo;
  const edited = kids[at];
  const next = kids[at + 1] as MirrorNode | undefined;
  const startsLine = (node: MirrorNode) => node.startIndex === 0 || old.text.charCodeAt(node.startIndex - 1) === 10;
  if (edited.startIndex >= span.start || !startsLine(edited) || (next && (!startsLine(next) || span.oldEnd >= next.startIndex))) return undefined;
  if (edited.type === 'comment' || (next && next.type === 'comment')) return undefined;
  const delta = text.length - old.text.length;
  const from = edited.startIndex;
  const to = next ? next.endIndex + delta : text.length;
  const region = text.slice(from, to);
  const tree = parse(region);
  if (!tree) return undefined;
  const fresh: { start: number; end: number; type: string }[] = [];
  // The new line table is the old one up to the edited statement (which starts a line), the lines that start
  // inside the edited statement now, then the old one from the next statement on, moved by the edit.
  const oldStarts = old.lineStarts;
  const starts = oldStarts.slice(0, edited.segment.row + 1);
  const regionEnd = next ? next.startIndex + delta : text.length + 1;
  for (let i = text.indexOf('\n', from); i !== -1 && i + 1 < regionEnd; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  if (next) for (let r = next.segment.row; r < oldStarts.length; r++) starts.push(oldStarts[r] + delta);
  const source = new Source(text, starts);
  const rootSegment = new Segment(text, source.lineStarts);
  rootSegment.place(source, 0);
  source.rootSegment = rootSegment;
  // A module spans from its first token to the end of the text.
  const root = new MirrorNode(rootSegment, nextId++, previous.type, previous.isNamed, previous.isMissing, previous.startIndex, text.length, null);
  const spliced: MirrorNode[] = [];
  const cursor = tree.walk();
  try {
    if (tree.rootNode.hasError || !cursor.gotoFirstChild()) return undefined;
    do fresh.push({ start: cursor.startIndex, end: cursor.endIndex, type: cursor.nodeType });
    while (cursor.gotoNextSibling());
    const last = fresh[fresh.length - 1];
    // The region's own parse must end with the next statement, unchanged in type and extent.
    if (next && (fresh.length < 2 || last.type !== next.type || from + last.start !== next.startIndex + delta || from + last.end !== next.endIndex + delta)) return undefined;
    if (fresh[0].start !== 0) return undefined;
    cursor.gotoParent();
    cursor.gotoFirstChild();
    const count = next ? fresh.length - 1 : fresh.length;
    for (let i = 0; i < count; i++, cursor.gotoNextSibling()) {
      const segment = new Segment(detach(region.slice(fresh[i].start, fresh[i].end)));
      // Mirrored with offsets relative to the region, then placed in the whole text.
      segment.base = fresh[i].start;
      spliced.push(mirrorSubtree(cursor, segment, root));
      segment.place(source, from + fresh[i].start);
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
  const rows = source.lineStarts.length - old.lineStarts.length;
  const moved = rows !== 0 && at + 1 < kids.length;
  for (let i = 0; i < kids.length; i++) {
    if (i === at) {
      for (const node of spliced) root.children.push(node);
      continue;
    }
    // The text before the edit is unchanged and the text after it only moved, so every kept statement keeps its
    // column and moves by the edit's length and lines when it comes after the edit.
    const kept = kids[i];
    if (i > at) kept.segment.shift(source, delta, rows);
    else kept.segment.shift(source, 0, 0);
    kept.parent = root;
    root.children.push(kept);
  }
  root.hasError = root.children.some((c) => c.hasError);
  previous.delta = undefined;
  root.delta = { previous, removed: [edited], added: spliced, moved, at };
  return root;
}

/** Mirrors the cursor's current node and everything under it into `segment`; the cursor ends where it started. */
function mirrorSubtree(cursor: TreeCursor, segment: Segment, parent: MirrorNode): MirrorNode {
  const base = segment.base;
  const top = new MirrorNode(segment, nextId++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex - base, cursor.endIndex - base, parent);
  let current = top;
  // Depth-first with an explicit parent pointer; each node records its field name in its parent.
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const node = new MirrorNode(segment, nextId++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex - base, cursor.endIndex - base, current);
      current.setField(current.children.length, cursor.currentFieldName);
      current.children.push(node);
      if (cursor.gotoFirstChild()) {
        current = node;
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        cursor.gotoParent();
        if (current === top) {
          done = true;
          break;
        }
        current = current.parent!;
      }
      if (done) break;
    }
  }
  markErrors(top, segment);
  return top;
}

/** Marks errors bottom-up and numbers nodes in pre-order with their subtree sizes, indexing them by type. */
function markErrors(top: MirrorNode, segment: Segment): void {
  // Iterative, so that deeply nested input cannot overflow the stack.
  const stack: [MirrorNode, number][] = [[top, 0]];
  let order = 0;
  top.order = order++;
  indexByType(segment, top);
  while (stack.length > 0) {
    const entry = stack[stack.length - 1];
    const [node, i] = entry;
    if (i < node.children.length) {
      entry[1] = i + 1;
      const child = node.children[i];
      child.order = order++;
      indexByType(segment, child);
      stack.push([child, 0]);
      continue;
    }
    stack.pop();
    node.size = order - 1 - node.order;
    node.hasError = node.type === 'ERROR' || node.isMissing || node.children.some((c) => c.hasError);
  }
}

function indexByType(segment: Segment, node: MirrorNode): void {
  const list = segment.byType.get(node.type);
  if (list) list.push(node);
  else segment.byType.set(node.type, [node]);
}

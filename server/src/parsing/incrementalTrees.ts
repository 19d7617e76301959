// Keeps each open document's syntax tree and reparses it incrementally: the edit between the last text and the new
// one (their common prefix and suffix) is applied to the old tree, so tree-sitter reuses every unchanged subtree.

import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';

interface Entry {
  readonly text: string;
  readonly tree: Tree;
  readonly parser: Parser;
}

/** The single edit that turns `before` into `after`, or undefined when they are equal. */
export function diffEdit(before: string, after: string): Edit | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return new Edit({
    startIndex: prefix,
    oldEndIndex: before.length - suffix,
    newEndIndex: after.length - suffix,
    startPosition: pointAt(before, prefix),
    oldEndPosition: pointAt(before, before.length - suffix),
    newEndPosition: pointAt(after, after.length - suffix),
  });
}

function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** One document's syntax tree, reparsed incrementally from its last tree as the text changes. */
export class DocumentTree {
  private last?: Entry;

  /** The tree for `text`, reparsed from the last tree when there is one for the same parser. Owned by this object. */
  parse(parser: Parser, text: string): Tree | undefined {
    const previous = this.last;
    let tree: Tree | null;
    if (previous && previous.parser === parser) {
      const edit = diffEdit(previous.text, text);
      if (!edit) return previous.tree;
      previous.tree.edit(edit);
      tree = parser.parse(text, previous.tree);
    } else {
      tree = parser.parse(text);
    }
    previous?.tree.delete();
    this.last = tree ? { text, tree, parser } : undefined;
    return tree ?? undefined;
  }

  /** Deletes the tree; the next parse starts afresh. */
  dispose(): void {
    this.last?.tree.delete();
    this.last = undefined;
  }
}

/** Document trees by key, for callers that keep several documents (tests, benchmarks). */
export class IncrementalTrees {
  private readonly entries = new Map<string, DocumentTree>();

  /** The tree for `text`, reparsed from the document's previous tree when there is one. Owned by this cache. */
  parse(key: string, parser: Parser, text: string): Tree | undefined {
    let tree = this.entries.get(key);
    if (!tree) this.entries.set(key, (tree = new DocumentTree()));
    return tree.parse(parser, text);
  }

  forget(key: string): void {
    this.entries.get(key)?.dispose();
    this.entries.delete(key);
  }
}

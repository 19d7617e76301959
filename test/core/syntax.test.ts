// The syntax-tree mirror must answer exactly as web-tree-sitter does for everything frontends ask of a node.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { mirrorTree, type SyntaxNode } from '../../server/src/core/syntax';
import { parsers } from '../helpers/parsers';

const FILES = ['samples/small_resnet.py', 'samples/submodule_collapse.py', 'test/fixtures/pytorch/half_typed.py'];
const FIELDS = ['name', 'body', 'left', 'right', 'function', 'arguments', 'object', 'attribute', 'value', 'parameters', 'superclasses', 'condition', 'consequence', 'alternative'];

function compare(real: Node, mirror: SyntaxNode, path: string): void {
  assert.equal(mirror.type, real.type, path);
  assert.equal(mirror.text, real.text, `${path} text`);
  assert.deepEqual(mirror.startPosition, { row: real.startPosition.row, column: real.startPosition.column }, `${path} start`);
  assert.deepEqual(mirror.endPosition, { row: real.endPosition.row, column: real.endPosition.column }, `${path} end`);
  assert.equal(mirror.hasError, real.hasError, `${path} hasError`);
  assert.equal(mirror.isNamed, real.isNamed, `${path} isNamed`);
  assert.equal(mirror.namedChildren.length, real.namedChildren.length, `${path} named children`);
  for (const field of FIELDS) {
    assert.equal(mirror.childForFieldName(field)?.text, real.childForFieldName(field)?.text, `${path} field ${field}`);
    assert.equal(mirror.childrenForFieldName(field).length, real.childrenForFieldName(field).length, `${path} fields ${field}`);
  }
  assert.equal(mirror.children.length, real.children.length, `${path} children`);
  real.children.forEach((child, i) => child && compare(child, mirror.children[i], `${path}/${i}:${child.type}`));
}

describe('syntax tree mirror', () => {
  for (const file of FILES) {
    it(`mirrors ${file} node for node, including descendantsOfType`, async () => {
      const text = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      const tree = (await parsers()).python!.parse(text)!;
      const mirror = mirrorTree(tree, text);
      compare(tree.rootNode, mirror, 'module');
      for (const types of ['call', ['for_statement', 'return_statement'], 'identifier']) {
        assert.deepEqual(mirror.descendantsOfType(types).map((n) => n.startIndex), tree.rootNode.descendantsOfType(types).map((n) => n!.startIndex), `descendantsOfType(${String(types)})`);
        const cls = mirror.namedChildren.find((n) => n.type === 'class_definition');
        const realCls = tree.rootNode.namedChildren.find((n) => n?.type === 'class_definition');
        if (cls && realCls) assert.deepEqual(cls.descendantsOfType(types).map((n) => n.startIndex), realCls.descendantsOfType(types).map((n) => n!.startIndex));
      }
      tree.delete();
    });
  }

  it('positions count UTF-16 code units, as LSP does', async () => {
    const text = 's = "é€😀"; x = 1\n';
    const tree = (await parsers()).python!.parse(text)!;
    const mirror = mirrorTree(tree, text);
    const [one] = mirror.descendantsOfType('integer');
    assert.equal(one.text, '1');
    assert.deepEqual(one.startPosition, { row: 0, column: 16 });
    tree.delete();
  });
});

describe('incremental mirror', () => {
  const file = 'samples/small_resnet.py';

  it('reuses unchanged top-level statements and still answers exactly as a fresh parse', async () => {
    const parser = (await parsers()).python!;
    const before = readFileSync(join(__dirname, '..', '..', file), 'utf8');
    const oldTree = parser.parse(before)!;
    const oldMirror = mirrorTree(oldTree, before);
    const oldChildren = [...oldMirror.children];
    // Insert two lines inside the second class: statements after it move down, statements before stay put.
    const classes = oldChildren.filter((c) => c.type === 'class_definition');
    assert.ok(classes.length >= 2, 'the sample should hold several classes');
    const edited = classes[1];
    const at = edited.childForFieldName('body')!.startIndex;
    const after = `${before.slice(0, at)}# widened\n        ${before.slice(at)}`;
    const tree = parser.parse(after)!;
    const mirror = mirrorTree(tree, after, oldMirror);
    compare(tree.rootNode, mirror, 'module');
    for (const types of ['call', ['for_statement', 'return_statement'], 'identifier', 'comment']) {
      assert.deepEqual(mirror.descendantsOfType(types).map((n) => n.startIndex), tree.rootNode.descendantsOfType(types).map((n) => n!.startIndex), `descendantsOfType(${String(types)})`);
      for (const [i, child] of mirror.namedChildren.entries()) {
        assert.deepEqual(child.descendantsOfType(types).map((n) => n.startIndex), tree.rootNode.namedChildren[i]!.descendantsOfType(types).map((n) => n!.startIndex));
      }
    }
    const reused = mirror.children.filter((c) => oldChildren.includes(c));
    assert.equal(reused.length, oldChildren.length - 1, 'every statement but the edited class is reused');
    assert.ok(!mirror.children.includes(edited), 'the edited class is mirrored afresh');
    const lastReused = reused[reused.length - 1];
    assert.equal(lastReused.parent, mirror);
    const point = lastReused.startPosition;
    assert.deepEqual(mirror.descendantForPosition(point)?.startIndex, tree.rootNode.descendantForPosition(point)?.startIndex);
    oldTree.delete();
    tree.delete();
  });

  it('does not reuse a statement that parses with errors', async () => {
    const parser = (await parsers()).python!;
    const before = 'x = (1,\ny = 2\n';
    const first = mirrorTree(parser.parse(before)!, before);
    const after = `${before}z = 3\n`;
    const tree = parser.parse(after)!;
    const mirror = mirrorTree(tree, after, first);
    compare(tree.rootNode, mirror, 'module');
    assert.ok(mirror.hasError);
  });
});

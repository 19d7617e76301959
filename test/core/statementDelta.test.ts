// After an edit, the mirror says which top-level statements changed (`statementDelta`), and readers that keep results
// per statement patch the previous module's instead of visiting every statement. Whatever they patch must answer
// exactly as the same reader built afresh on a fresh parse of the text; these properties drive random edit chains
// (typing inside lines, as the statement reparse handles, and arbitrary edits, as the whole-text mirror handles).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mirrorTree, remirrorStatement, statementDelta, type SyntaxNode } from '../../server/src/core/syntax';
import { PyScopes } from '../../server/src/core/python/pyScope';
import { FileScope, ImportedModules } from '../../server/src/core/python/torchScope';
import type { Value } from '../../server/src/core/python/values';
import { extractTrainingFacts } from '../../server/src/core/python/trainingFacts';
import { findLossUses } from '../../server/src/core/python/lossUses';
import { ModuleDependencies } from '../../server/src/core/python/statementDeps';
import { extractModels } from '../../server/src/core/frontends';
import { parsers } from '../helpers/parsers';

const SOURCES = [
  'samples/mnist_mlp.py',
  'samples/transformer_encoder.py',
  'samples/loop_missing_activation.py',
  'test/fixtures/rules/MT001/pos_keras_fit_shuffle_false.py',
  'test/fixtures/rules/MT007/pos_np_load_validation_split.py',
];

function read(file: string): string {
  return readFileSync(join(__dirname, '..', '..', file), 'utf8');
}

/** Every answer PyScopes gives about a module, by positions, so two mirrors of one text compare equal. */
function scopeAnswers(scopes: PyScopes, root: SyntaxNode): unknown {
  const where = (b: { value: SyntaxNode; index?: number; loop?: boolean; at: { line: number; character: number } } | undefined) =>
    b ? `${b.value.startIndex}:${b.index ?? '-'}:${b.loop ? 'loop' : ''}@${b.at.line}.${b.at.character}` : 'none';
  const lookups = root.descendantsOfType('identifier').map((id) => `${id.text}@${id.startIndex}=${where(scopes.lookup(id.text, id))}`);
  const selves = root
    .descendantsOfType('attribute')
    .filter((a) => a.childForFieldName('object')?.text === 'self')
    .map((a) => {
      const attr = a.childForFieldName('attribute')?.text ?? '';
      return `self.${attr}@${a.startIndex}=${where(scopes.lookupSelf(attr, a))}|${where(scopes.firstBoundSelf(attr, a, () => true))}`;
    });
  const names = [...new Set(root.descendantsOfType('identifier').map((id) => id.text))];
  return {
    lookups,
    selves,
    firstBound: names.map((n) => `${n}=${where(scopes.firstBound(n, () => true))}|${where(scopes.firstBound(`self.${n}`, () => true))}`),
    functions: [...scopes.functions].map(([name, defs]) => `${name}:${defs.map((d) => d.startIndex).join(',')}`),
    classes: [...scopes.classes].map(([name, node]) => `${name}:${node.startIndex}`),
    imports: scopes.importsKey,
  };
}

/** What a PyTorch file scope holds, by positions. */
function fileAnswers(scope: FileScope): unknown {
  const value = (v: Value): string => {
    if (v.kind === 'class') return `class:${v.cls.node.startIndex}`;
    if (v.kind === 'function') return `function:${v.node.startIndex}`;
    return JSON.stringify(v);
  };
  return {
    globals: [...scope.globals].map(([k, v]) => `${k}=${value(v)}`),
    classes: [...scope.classes].map(([k, c]) => `${k}=${c.node.startIndex}(${c.bases.join(',')})[${[...c.methods].map(([m, n]) => `${m}:${n.startIndex}`).join(',')}]`),
    functions: [...scope.functions].map(([k, n]) => `${k}=${n.startIndex}`),
    external: [...scope.external],
    candidates: scope.modelCandidates().map((c) => (c.kind === 'class' ? `class:${c.cls.name}:${c.cls.node.startIndex}` : `${c.kind}:${c.name}:${c.node.startIndex}`)),
  };
}

describe('statement deltas and the readers that patch with them', () => {
  const typing = fc.constantFrom(' ', 'x', '1', 'relu', '_2', '.', '(', ')', '# note', '\n', '\n    y = 2');
  const edit = fc.oneof(
    // Typing at a line's end or inside it: the common case, reparsed statement by statement.
    fc.record({ line: fc.nat(), column: fc.nat({ max: 40 }), removed: fc.constant(0), inserted: typing }),
    // Anything anywhere: deletions across statements, new definitions.
    fc.record({ line: fc.nat(), column: fc.nat({ max: 80 }), removed: fc.nat({ max: 30 }), inserted: fc.constantFrom('', 'def f(a):\n    return a\n', 'import os\n', 'z = 3\n', 'class B(nn.Module):\n    pass\n') }),
  );

  for (const file of SOURCES) {
    it(`${file}: deltas name exactly the changed statements, and patched readers (scopes, training facts, loss links, dependency keys) answer as fresh ones`, async () => {
      const parser = (await parsers()).python!;
      const original = read(file);
      let patched = 0;
      let filePatched = 0;
      let steps = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
          let text = original;
          const first = parser.parse(text)!;
          let mirror = mirrorTree(first, text);
          first.delete();
          PyScopes.of(mirror);
          FileScope.forFile(mirror, new ImportedModules(undefined));
          // The models the training-code readers link to: the file's model classes as a fresh scope names them.
          const modelsOf = (root: SyntaxNode) => new FileScope(root).modelCandidates().map((c) => ({ name: c.kind === 'class' ? c.cls.name : c.name }));
          const trainingCode = (root: SyntaxNode) => {
            const models = modelsOf(root);
            return JSON.stringify({ facts: extractTrainingFacts(root, models), losses: [...findLossUses(root, models)] });
          };
          trainingCode(mirror);
          const keysOf = (deps: ModuleDependencies, root: SyntaxNode) => root.namedChildren.map((statement) => deps.keyFor(statement));
          keysOf(ModuleDependencies.of(mirror), mirror);
          const modelsIn = (root: SyntaxNode, source: string) => JSON.stringify(extractModels('python', root, source).models);
          modelsIn(mirror, text);
          for (const e of edits) {
            const lines = text.split('\n');
            const line = e.line % lines.length;
            const offset = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + Math.min(e.column, lines[line].length);
            text = text.slice(0, offset) + e.inserted + text.slice(offset + e.removed);
            const before = mirror.children.slice();
            const rows = new Map(before.map((s) => [s, `${s.startPosition.row}:${s.startPosition.column}`]));
            const fresh = parser.parse(text)!;
            const next = remirrorStatement(mirror, text, (region) => parser.parse(region) ?? undefined) ?? mirrorTree(fresh, text, mirror);
            const delta = statementDelta(next);
            assert.ok(delta, 'a mirror made from a previous one has a delta');
            assert.equal(delta.previous, mirror);
            assert.deepEqual(delta.removed, before.filter((s) => !next.children.includes(s)), 'removed: the statements that are gone');
            assert.deepEqual(delta.added, next.children.filter((s) => !before.includes(s)), 'added: the statements mirrored anew');
            const moved = next.children.some((s) => rows.has(s) && rows.get(s) !== `${s.startPosition.row}:${s.startPosition.column}`);
            assert.equal(delta.moved, moved, 'moved: whether a kept statement starts elsewhere');
            assert.equal(statementDelta(mirror), undefined, 'the previous mirror drops its own delta');
            if (delta.at !== undefined) {
              const kept = [...before.slice(0, delta.at), ...before.slice(delta.at + delta.removed.length)];
              assert.deepEqual(before.slice(delta.at, delta.at + delta.removed.length), delta.removed, 'at: where the removed run was');
              assert.deepEqual(next.children.slice(delta.at, delta.at + delta.added.length), delta.added, 'at: where the added run is');
              assert.deepEqual([...next.children.slice(0, delta.at), ...next.children.slice(delta.at + delta.added.length)], kept, 'at: everything else kept in order');
            }
            const scopes = PyScopes.of(next);
            steps++;
            if (scopes.patched) patched++;
            const reference = mirrorTree(fresh, text);
            assert.deepEqual(scopeAnswers(scopes, next), scopeAnswers(new PyScopes(reference), reference));
            const file = FileScope.forFile(next, new ImportedModules(undefined));
            if (file.patched) filePatched++;
            assert.deepEqual(fileAnswers(file), fileAnswers(new FileScope(reference)));
            assert.equal(trainingCode(next), trainingCode(reference), 'training facts and loss links as read afresh');
            assert.equal(modelsIn(next, text), modelsIn(reference, text), 'the models every frontend extracts');
            // Dependency keys name nodes by id, so the reference is a fresh reading of the same mirror.
            assert.deepEqual(keysOf(ModuleDependencies.of(next), next), keysOf(new ModuleDependencies(next), next), 'model dependency keys');
            fresh.delete();
            mirror = next;
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 25), seed: 11 },
      );
      // Typing inside a statement keeps the module's names: most such edits must take the patched path.
      assert.ok(patched > steps / 4, `scopes were patched on ${patched} of ${steps} edits`);
      // Edits to imports, constants and module-level Sequentials read the file scope afresh; short scripts are mostly those.
      assert.ok(filePatched > steps / 10, `file scopes were patched on ${filePatched} of ${steps} edits`);
    });
  }
});

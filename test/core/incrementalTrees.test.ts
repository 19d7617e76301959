// Incremental reparsing must give exactly the tree a full parse gives, whatever the edits.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { diffEdit, IncrementalTrees } from '../../server/src/parsing/incrementalTrees';
import { type Mutation, mutate, mutation } from '../helpers/mutate';
import { parsers } from '../helpers/parsers';

const FILES = ['samples/small_resnet.py', 'samples/autoencoder.py', 'test/fixtures/pytorch/residual_concat.py'];

describe('incremental reparsing', () => {
  it('finds the one edit between two texts', () => {
    const edit = diffEdit('ab\ncd\nef', 'ab\ncXd\nef')!;
    assert.deepEqual([edit.startIndex, edit.oldEndIndex, edit.newEndIndex], [4, 4, 5]);
    assert.deepEqual(edit.startPosition, { row: 1, column: 1 });
    assert.equal(diffEdit('same', 'same'), undefined);
  });

  for (const file of FILES) {
    it(`${file}: a chain of random edits reparsed incrementally equals a full parse`, async () => {
      const parser = (await parsers()).python!;
      const original = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(mutation, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), async (steps) => {
          const trees = new IncrementalTrees();
          let text = original;
          trees.parse('doc', parser, text);
          for (const edits of steps) {
            text = mutate(text, edits as Mutation[]);
            const incremental = trees.parse('doc', parser, text)!;
            const full = parser.parse(text)!;
            assert.equal(incremental.rootNode.toString(), full.rootNode.toString());
            full.delete();
          }
          trees.forget('doc');
        }),
        { numRuns: 25, seed: 7 },
      );
    });
  }
});

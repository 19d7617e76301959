// The notebook core: nbformat 4 JSON → one Python program with a map back to cells; IPython syntax blanked in place,
// bad notebooks refused with one sentence, and a model split over cells analysed as one program.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import { buildNotebookProgram, type NotebookCell, NotebookProgram, parseNotebookJson } from '../../server/src/core/notebook';
import { parsers } from '../helpers/parsers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'notebooks');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function cellsOf(name: string): readonly NotebookCell[] {
  const parsed = parseNotebookJson(read(name));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.cells;
}

describe('notebook programs', () => {
  it('concatenates the code cells in order and maps every program line back to its cell and line', () => {
    const cells: NotebookCell[] = [
      { kind: 'markdown', text: '# title' },
      { kind: 'code', text: 'import torch\nx = 1' },
      { kind: 'code', text: 'y = 2\n' },
      { kind: 'raw', text: 'raw text' },
      { kind: 'code', text: 'z = 3' },
    ];
    const program = buildNotebookProgram(cells);
    assert.equal(program.text, 'import torch\nx = 1\ny = 2\n\nz = 3\n');
    assert.deepEqual(program.spans.map((s) => [s.cell, s.firstLine, s.lineCount]), [[1, 0, 2], [2, 2, 2], [4, 4, 1]]);
    assert.deepEqual(NotebookProgram.toCell(program, { line: 1, character: 4 }), { cell: 1, at: { line: 1, character: 4 } });
    assert.deepEqual(NotebookProgram.toCell(program, { line: 4, character: 2 }), { cell: 4, at: { line: 0, character: 2 } });
    assert.deepEqual(NotebookProgram.fromCell(program, 4, { line: 0, character: 2 }), { line: 4, character: 2 });
    assert.equal(NotebookProgram.fromCell(program, 0, { line: 0, character: 0 }), undefined, 'a markdown cell is not in the program');
    assert.equal(NotebookProgram.describe(program, { line: 2, character: 0 }), 'cell 3 line 1');
  });

  it('cuts a range that runs on into the next cell at the end of its first cell', () => {
    const program = buildNotebookProgram([{ kind: 'code', text: 'a = 1\nbb = 2' }, { kind: 'code', text: 'c = 3' }]);
    assert.deepEqual(NotebookProgram.toCellRange(program, { start: { line: 0, character: 0 }, end: { line: 2, character: 5 } }), {
      cell: 0,
      at: { start: { line: 0, character: 0 }, end: { line: 1, character: 6 } },
    });
  });

  it('blanks magics, shell and help lines in place, and skips cells under a non-Python cell magic', async () => {
    const program = buildNotebookProgram([
      { kind: 'code', text: '!pip install torch\n%matplotlib inline\nimport torch\nfiles = !ls\nfor f in files:\n    !echo {f}\ntorch.nn.Linear?' },
      { kind: 'code', text: '%%bash\necho hi\nx = 1' },
      { kind: 'code', text: '%%time\ny = 2' },
      { kind: 'code', text: 'print(1)', language: 'markdown' },
    ]);
    assert.equal(program.text, '\n\nimport torch\n\nfor f in files:\n    pass\n\n\n\n\n\ny = 2\n');
    assert.equal(program.spans.length, 3, 'a cell whose own language is not Python is left out');
    assert.equal((await parsers()).python!.parse(program.text)!.rootNode.hasError, false, 'the blanked program parses');
  });

  it('reads nbformat 4 fixtures and refuses bad ones with one sentence', () => {
    assert.equal(cellsOf('split-model.ipynb').length, 6);
    assert.deepEqual(cellsOf('empty.ipynb'), []);
    const refusal = (name: string) => {
      const parsed = parseNotebookJson(read(name));
      assert.ok(!parsed.ok, `${name} must be refused`);
      return parsed.error;
    };
    assert.match(refusal('invalid.ipynb'), /^not a valid notebook: the JSON does not parse \(/);
    assert.equal(refusal('nbformat3.ipynb'), 'nbformat 3 notebooks are not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`');
    assert.equal(refusal('r-kernel.ipynb'), 'its kernel language is R; Model Audit reads Python notebooks');
    assert.equal(parseNotebookJson('[1, 2]').ok, false);
    assert.equal(parseNotebookJson('{"nbformat": 4}').ok, false);
  });

  it('a model in one cell and its training loop in another are one analysis', async () => {
    const program = buildNotebookProgram(cellsOf('split-model.ipynb'));
    const analysis = analyzeSource({ file: { path: 'split-model.ipynb', language: 'python', text: program.text }, parsers: await parsers() });
    assert.deepEqual(analysis.models.map((m) => m.graph.name), ['TwoLayer']);
    const at = (code: string) => {
      const finding = analysis.findings.find((f) => f.code === code);
      assert.ok(finding, `${code} expected`);
      return NotebookProgram.toCellRange(program, finding.range);
    };
    // fc2(fc1(x)) on the forward line of cell 3 (index 2); optimizer.step() on the last line of cell 5 (index 4).
    assert.deepEqual(at('MA001')?.cell, 2);
    assert.deepEqual(at('MT002'), { cell: 4, at: { start: { line: 6, character: 4 }, end: { line: 6, character: 20 } } });
  });
});

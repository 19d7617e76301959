// `model-audit check|render|probe` on Jupyter notebooks: findings at cell and line in text, JSON (with `cell` fields)
// and SARIF (the notebook as the artifact, the region within the cell, the cell in the region's properties); folder
// walks include notebooks and skip checkpoints; broken notebooks exit 2 with one line.

import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { runCli } from '../../server/src/cli/main';

const ROOT = join(__dirname, '..', '..');
const NB = 'test/fixtures/notebooks';

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('notebooks on the command line', () => {
  it('check prints findings as path:cell N:line:col, the model at its cell', async () => {
    const { code, out } = await run(['check', `${NB}/split-model.ipynb`]);
    assert.equal(code, 1);
    const lines = out.split('\n');
    assert.ok(lines.includes('  TwoLayer (pytorch, cell 3 line 1)'), out);
    assert.ok(lines.some((l) => l.startsWith(`${NB}/split-model.ipynb:cell 3:8:25: warning MA001 fc1 and fc2 compose into one linear map 784→10`)), out);
    assert.ok(lines.some((l) => l.startsWith(`${NB}/split-model.ipynb:cell 5:7:5: warning MT002 optimizer.step() runs in a loop`)), out);
  });

  it('check --format json keeps the contract Range, within the cell, and adds the cell index', async () => {
    const { out } = await run(['check', `${NB}/split-model.ipynb`, '--format', 'json']);
    const [file] = JSON.parse(out).files;
    assert.equal(file.path, `${NB}/split-model.ipynb`);
    assert.equal(file.language, 'python');
    assert.equal(file.notebook, true);
    const [model] = file.models;
    assert.equal(model.cell, 2, 'the class is in the third cell (index 2 of the file\'s cells)');
    assert.deepEqual(model.range.start, { line: 0, character: 0 });
    assert.deepEqual(model.ops.map((o: { op: string; cell: number }) => [o.op, o.cell]), [['linear', 2], ['linear', 2]]);
    const byCode = Object.fromEntries(file.diagnostics.map((d: { code: string }) => [d.code, d]));
    assert.equal(byCode.MA001.cell, 2);
    assert.deepEqual(byCode.MT002.range, { start: { line: 6, character: 4 }, end: { line: 6, character: 20 } });
    assert.equal(byCode.MT002.cell, 4);
    for (const r of byCode.MA001.related) assert.equal(r.cell, 2, 'same-file related locations are in cells too');
  });

  it('check --format sarif names the notebook and gives regions within cells, valid SARIF 2.1.0', async () => {
    const { out } = await run(['check', `${NB}/split-model.ipynb`, '--format', 'sarif']);
    const log = JSON.parse(out);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    assert.ok(validate(JSON.parse(out)), JSON.stringify(validate.errors?.slice(0, 3)));
    const [runLog] = log.runs;
    assert.deepEqual(runLog.artifacts.map((a: { location: { uri: string } }) => a.location.uri), [`${NB}/split-model.ipynb`]);
    const mt002 = runLog.results.find((r: { ruleId: string }) => r.ruleId === 'MT002');
    assert.deepEqual(mt002.locations[0].physicalLocation.region, { startLine: 7, startColumn: 5, endLine: 7, endColumn: 21, properties: { cell: 4 } });
  });

  it('render and render --format markdown read notebooks, naming cells', async () => {
    const unicode = await run(['render', `${NB}/clean-mlp.ipynb`]);
    assert.equal(unicode.code, 0);
    assert.match(unicode.out, /^Mlp \(pytorch\)\n {2}y = W₂·ReLU\(W₁x \+ b₁\) \+ b₂\n/);
    const markdown = await run(['render', `${NB}/clean-mlp.ipynb`, '--format', 'markdown']);
    assert.match(markdown.out, /`test\/fixtures\/notebooks\/clean-mlp\.ipynb` cell 1 line 3\*/);
    assert.match(markdown.out, /\| W₁ \| 128×784 \| fc1 \| cell 1 line 6 \|/);
  });

  it('a folder walk includes notebooks, skips .ipynb_checkpoints, and passes over broken notebooks with a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ma-nb-'));
    try {
      cpSync(join(ROOT, NB, 'keras-magics.ipynb'), join(dir, 'keras.ipynb'));
      cpSync(join(ROOT, NB, 'nbformat3.ipynb'), join(dir, 'old.ipynb'));
      mkdirSync(join(dir, '.ipynb_checkpoints'));
      cpSync(join(ROOT, NB, 'split-model.ipynb'), join(dir, '.ipynb_checkpoints', 'keras-checkpoint.ipynb'));
      const { code, out, err } = await run(['check', '.', '--format', 'json'], dir);
      assert.equal(code, 1, 'the Keras notebook has a warning');
      assert.deepEqual(JSON.parse(out).files.map((f: { path: string }) => f.path), ['keras.ipynb']);
      assert.equal(err, 'model-audit: skipped old.ipynb: nbformat 3 notebooks are not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a broken notebook named on its own exits 2 with one line; an empty one has no models', async () => {
    for (const [name, reason] of [
      ['invalid.ipynb', /: not a valid notebook: the JSON does not parse \(.*\)\n$/],
      ['nbformat3.ipynb', /: nbformat 3 notebooks are not supported; convert it with/],
      ['r-kernel.ipynb', /: its kernel language is R; Model Audit reads Python notebooks\n$/],
    ] as const) {
      const { code, out, err } = await run(['check', `${NB}/${name}`]);
      assert.equal(code, 2, name);
      assert.equal(out, '');
      assert.equal(err.split('\n').length, 2, `one line: ${err}`);
      assert.match(err, reason);
    }
    for (const name of ['empty.ipynb', 'empty-cells.ipynb']) {
      const { code, out } = await run(['check', `${NB}/${name}`]);
      assert.equal(code, 0, name);
      assert.equal(out, '1 file, 0 models: 0 errors, 0 warnings\n');
    }
    const render = await run(['render', `${NB}/empty.ipynb`]);
    assert.equal(render.code, 2);
    assert.equal(render.err, `model-audit: ${NB}/empty.ipynb: no models found\n`);
  });

  it('probe reads a notebook model (a bad notebook exits 2 with its reason)', async () => {
    const bad = await run(['probe', `${NB}/nbformat3.ipynb`]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^model-audit probe: test\/fixtures\/notebooks\/nbformat3\.ipynb: nbformat 3 notebooks are not supported/);
    const dir = mkdtempSync(join(tmpdir(), 'ma-nb-probe-'));
    try {
      const { code, out } = await run(['probe', `${ROOT}/${NB}/split-model.ipynb`, '--probe', 'nonlinearity', '--steps', '60', '--width-scale', '0.25', '--backend', 'cpu', '--seed', '1'], dir);
      // Two Linear layers with nothing between them: the nonlinearity probe fails, reported at the class's cell.
      assert.equal(code, 1, out);
      assert.match(out, /split-model\.ipynb:cell 3:\d+:\d+: warning MP0\d\d nonlinearity: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The spec commands of the CLI: `check` on a spec checks its code too, a folder of specs and code is checked both
// ways, and `diff` prints both sides with the differences marked (golden files), with the contract's exit codes.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { expectGolden } from '../helpers/golden';

const ROOT = join(__dirname, '..', '..');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd: ROOT, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('model-audit CLI: specs', () => {
  it('check SPEC checks the bound code as well, with findings in both files', async () => {
    const { code, out } = await cli(['check', 'test/fixtures/spec/pytorch/ms003_different_op.mspec', '--format', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(out);
    const byFile = Object.fromEntries(report.files.map((f: { path: string; diagnostics: { code: string; related: { path: string }[] }[] }) => [f.path, f.diagnostics.filter((d) => d.code.startsWith('MS'))]));
    assert.deepEqual(Object.keys(byFile), ['test/fixtures/spec/pytorch/ms003_different_op.mspec', 'test/fixtures/spec/pytorch/ms003_different_op.py']);
    assert.deepEqual(byFile['test/fixtures/spec/pytorch/ms003_different_op.mspec'].map((d: { code: string }) => d.code), ['MS003']);
    assert.equal(byFile['test/fixtures/spec/pytorch/ms003_different_op.py'][0].related[0].path, 'test/fixtures/spec/pytorch/ms003_different_op.mspec');
  });

  it('check FOLDER diffs every code file against the specs beside it', async () => {
    const { code, out } = await cli(['check', 'test/fixtures/spec/keras', '--format', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(out);
    const codes = (suffix: string) => report.files.find((f: { path: string }) => f.path.endsWith(suffix)).diagnostics.filter((d: { code: string }) => d.code.startsWith('MS')).map((d: { code: string }) => d.code);
    assert.deepEqual(codes('ms001_missing_activation.py'), ['MS001']);
    assert.deepEqual(codes('ms001_missing_activation.mspec'), ['MS001']);
    assert.deepEqual(codes('matching.py'), []);
    assert.deepEqual(codes('matching.mspec'), []);
  });

  it('check reports MS011 for a spec bound to nothing', async () => {
    const { code, out } = await cli(['check', 'test/fixtures/spec/language/ms011_unbound.mspec']);
    assert.equal(code, 1);
    assert.match(out, /ms011_unbound\.mspec:2:20: error MS011 Cannot find the code file `no_such_file.py`/);
  });

  for (const [spec, format] of [['pytorch/ms001_missing_activation', 'text'], ['pytorch/ms005_missing_residual', 'text'], ['keras/ms004_dim_mismatch', 'markdown'], ['tfjs/matching', 'text']] as const) {
    it(`diff ${spec}.mspec --format ${format}`, async () => {
      const { code, out } = await cli(['diff', `test/fixtures/spec/${spec}.mspec`, '--format', format]);
      assert.equal(code, spec.endsWith('matching') ? 0 : 1);
      expectGolden(join(ROOT, 'test', 'golden', 'spec', `${spec.replace('/', '-')}.diff.${format === 'markdown' ? 'md' : 'txt'}`), out);
    });
  }

  it('diff exits 2 for a file that is not a spec, or a spec bound to nothing', async () => {
    const notSpec = await cli(['diff', 'samples/mnist_mlp.py']);
    assert.equal(notSpec.code, 2);
    assert.match(notSpec.err, /not a spec file/);
    const unbound = await cli(['diff', 'test/fixtures/spec/language/ms011_unbound.mspec']);
    assert.equal(unbound.code, 2);
  });
});

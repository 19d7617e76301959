// The CLI as users and CI run it: the contract's JSON, the text report (golden), exit codes and one-line errors.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../server/src/cli/main';
import { expectGolden } from './helpers/golden';
import { CLI } from './helpers/lspClient';

const ROOT = join(__dirname, '..');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd: ROOT, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('model-audit CLI', () => {
  it('check samples/ prints every model with its equation and findings (golden)', async () => {
    const { code, out } = await run(['check', 'samples/']);
    assert.equal(code, 1, 'warnings make the default --fail-on warning exit 1');
    expectGolden(join(__dirname, 'golden', 'check-samples.txt'), out);
  });

  it('check --format json follows the contract', async () => {
    const { code, out } = await run(['check', 'samples/mlp_missing_relu.py', 'samples/mnist_mlp.py', '--format', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(out);
    assert.equal(report.version, 1);
    assert.deepEqual(report.summary, { files: 2, models: 2, errors: 0, warnings: 1 });
    const [buggy, clean] = report.files;
    assert.equal(buggy.path, 'samples/mlp_missing_relu.py');
    assert.equal(buggy.language, 'python');
    const model = buggy.models[0];
    assert.equal(model.name, 'MissingReluMLP');
    assert.equal(model.framework, 'pytorch');
    assert.equal(model.equation.text, 'y = W₃·(W₂·ReLU(W₁·flatten(x) + b₁) + b₂) + b₃');
    assert.equal(model.equation.steps[0], 'h₁ = ReLU(W₁·flatten(x) + b₁)');
    assert.match(model.equation.latex, /W_\{3\}/);
    assert.deepEqual(model.ops.map((o: { op: string }) => o.op), ['flatten', 'linear', 'relu', 'linear', 'linear']);
    assert.deepEqual(model.ops[1], { op: 'linear', category: 'affine', in: 784, out: 256, module: 'fc1', shape: [256], range: model.ops[1].range });
    assert.deepEqual(Object.keys(model.ops[1].range.start), ['line', 'character']);
    const [d] = buggy.diagnostics;
    assert.equal(d.code, 'MA001');
    assert.equal(d.severity, 'warning');
    assert.equal(d.related[0].path, 'samples/mlp_missing_relu.py');
    assert.deepEqual(clean.diagnostics.filter((x: { severity: string }) => x.severity !== 'hint'), []);
  });

  it('clean samples produce no warnings and exit 0', async () => {
    const clean = ['mnist_mlp.py', 'lenet_cnn.py', 'small_resnet.py', 'deep_mlp.py', 'autoencoder.py', 'sequential_models.py'];
    const { code, out } = await run(['check', ...clean.map((f) => `samples/${f}`), '--format', 'json']);
    const report = JSON.parse(out);
    const loud = report.files.flatMap((f: { diagnostics: { severity: string }[] }) => f.diagnostics).filter((d: { severity: string }) => d.severity === 'warning' || d.severity === 'error');
    assert.deepEqual(loud, []);
    assert.equal(code, 0);
  });

  it('--fail-on error and never change the exit code', async () => {
    assert.equal((await run(['check', 'samples/mlp_missing_relu.py', '--fail-on', 'error'])).code, 0);
    assert.equal((await run(['check', 'samples/shape_mismatch.py', '--fail-on', 'error'])).code, 1);
    assert.equal((await run(['check', 'samples/shape_mismatch.py', '--fail-on', 'never'])).code, 0);
  });

  it('render prints equations as Unicode, LaTeX and Markdown', async () => {
    const unicode = await run(['render', 'samples/mlp_missing_relu.py']);
    assert.equal(unicode.code, 0);
    assert.match(unicode.out, /^MissingReluMLP \(pytorch\)\n {2}y = W₃·\(W₂·ReLU\(W₁·flatten\(x\) \+ b₁\) \+ b₂\) \+ b₃\n/);
    const latex = await run(['render', 'samples/lenet_cnn.py', '--format', 'latex']);
    assert.match(latex.out, /\\begin\{aligned\}/);
    assert.match(latex.out, /h_\{1\} &= \\operatorname\{maxpool\}\\left\(\\operatorname\{ReLU\}\\left\(W_\{1\} \\ast x \+ b_\{1\}\\right\)\\right\)/);
    const md = await run(['render', 'samples/sequential_models.py', '--model', 'regressor', '--format', 'markdown']);
    assert.match(md.out, /^### regressor\n/);
    assert.doesNotMatch(md.out, /make_classifier/);
  });

  it('probe runs through the command line and prints the contract JSON', async () => {
    const { code, out, err } = await run(['probe', 'samples/mnist_mlp.py', '--probe', 'init-loss', '--format', 'json', '--seed', '3']);
    assert.equal(code, 0, err);
    const report = JSON.parse(out);
    assert.equal(report.version, 1);
    assert.equal(report.model, 'MnistMLP');
    assert.match(report.backend, /^(cpu|wasm|tensorflow|tensorflow-gpu)$/);
    assert.equal(report.results[0].probe, 'init-loss');
    assert.equal(report.results[0].verdict, 'pass');
    assert.ok(Math.abs(report.results[0].metrics.expected_loss - Math.log(10)) < 1e-4);
    assert.equal((await run(['probe', 'samples/mnist_mlp.py', '--model', 'Nope'])).code, 2);
  });

  it('exits 2 with a one-line reason on usage and I/O errors', async () => {
    for (const args of [['check', 'no/such/path.py'], ['check', 'README.md'], ['render', 'samples/mnist_mlp.py', '--model', 'Nope'], ['check', 'samples/', '--format', 'yaml'], ['frobnicate']]) {
      const { code, err } = await run(args);
      assert.equal(code, 2, `${args.join(' ')} exits 2`);
      assert.equal(err.trim().split('\n').length, 1, `${args.join(' ')} prints one line: ${err}`);
    }
  });

  it('the package bin (what npx model-audit runs) works from a shell with the same exit codes', () => {
    const BIN = join(ROOT, 'bin', 'model-audit.js');
    const ok = spawnSync(process.execPath, [BIN, 'check', 'samples/mnist_mlp.py'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /1 file, 1 model: 0 errors, 0 warnings/);
    const bad = spawnSync(process.execPath, [BIN, 'check', 'missing.py'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'model-audit: missing.py: no such file or folder\n');
  });

  it('the bundled dist/cli.js (what editors start) runs on its own too', () => {
    const ok = spawnSync(process.execPath, [CLI, 'check', 'samples/mnist_mlp.py'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /1 file, 1 model: 0 errors, 0 warnings/);
    const bad = spawnSync(process.execPath, [CLI, 'check', 'missing.py'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'model-audit: missing.py: no such file or folder\n');
  });
});

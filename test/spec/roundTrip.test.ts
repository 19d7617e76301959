// The round-trip property: for every model in every fixture and sample, the spec that `render --format spec`
// prints parses without a problem and the spec diff finds no difference from the code, in either file.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { analyzeSource, type ParserSet } from '../../server/src/core/analyze';
import type { SpecHost } from '../../server/src/core/spec/analyzeSpec';
import { languageOfPath } from '../../server/src/core/languages';
import { printSpec } from '../../server/src/core/spec/printSpec';
import { runCli } from '../../server/src/cli/main';
import { diskSpecHost } from '../../server/src/workspace/specHost';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');

function codeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return codeFiles(full);
    const language = languageOfPath(e.name);
    return language && language !== 'model-spec' && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every fixture and sample that holds model code, whichever frontend engineer added it. */
const FILES = [...codeFiles(join(ROOT, 'test', 'fixtures')), ...codeFiles(join(ROOT, 'samples'))].map((f) => relative(ROOT, f)).sort();

describe('spec round trip: render --format spec → parse → compare gives no difference', () => {
  let ps: ParserSet;
  before(async () => {
    ps = await parsers();
  });

  it('covers PyTorch, Keras and TF.js fixtures', () => {
    assert.ok(FILES.some((f) => f.endsWith('.py')));
    assert.ok(FILES.some((f) => /\.(js|ts|mjs|cjs)$/.test(f)));
    assert.ok(FILES.length >= 40, `${FILES.length} files`);
  });

  for (const file of FILES) {
    it(file, () => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const code = analyzeSource({ file: { path: file, language: languageOfPath(file)!, text }, parsers: ps });
      for (const model of code.models) {
        if (model.stale) continue;
        // The generated spec lives beside the code, in memory: the host serves it and reads the code from disk.
        const specPath = join(dirname(file), `${basename(file)}.${model.graph.name}.mspec`);
        const specText = printSpec(model.graph, { path: basename(file) });
        const disk = diskSpecHost(ROOT);
        const host: SpecHost = { resolve: disk.resolve, read: (p) => (p === specPath ? specText : disk.read(p)) };
        const spec = analyzeSource({ file: { path: specPath, language: 'model-spec', text: specText }, parsers: ps, specHost: host });
        assert.deepEqual(spec.findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`), [], `${model.graph.name}:\n${specText}`);
        assert.equal(spec.specBindings?.[0]?.code?.name, model.graph.name, 'the spec binds to the model it came from');
        const back = analyzeSource({ file: { path: file, language: languageOfPath(file)!, text }, parsers: ps, specHost: host, specs: [specPath] });
        // Only the generated spec's findings count: a fixture may name a spec of its own in a comment.
        assert.deepEqual(back.findings.filter((f) => f.code.startsWith('MS') && f.related?.some((r) => r.path === specPath)).map((f) => f.message), [], `${model.graph.name}:\n${specText}`);
      }
    });
  }

  it('writes repeated structure once, as a named block with a power', async () => {
    let out = '';
    assert.equal(await runCli(['render', 'samples/small_resnet.py', '--model', 'SmallResNet', '--format', 'spec'], { cwd: ROOT, out: (s) => (out += s), err: () => undefined }), 0);
    assert.match(out, /^block\(z\) = relu\(batchnorm\(Conv2d\(relu\(batchnorm\(Conv2d\(z, 64, 3, padding=1, bias=false\)\)\), 64, 3, padding=1, bias=false\)\) \+ z\)$/m);
    assert.match(out, /^h2 = adaptive_avgpool2d\(block\^3\(h1\), 1\)$/m);
    out = '';
    assert.equal(await runCli(['render', 'samples/deep_mlp.py', '--format', 'spec'], { cwd: ROOT, out: (s) => (out += s), err: () => undefined }), 0);
    assert.match(out, /^block\(z\) = gelu\(Linear\(z, 128\)\)\nh1 = block\^5\(x\)\ny = Linear\(h1, 1\)$/m);
  });

  it('through the CLI: a rendered spec saved beside the code passes `check` with no spec finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-audit-spec-'));
    try {
      writeFileSync(join(dir, 'mnist_mlp.py'), readFileSync(join(ROOT, 'samples', 'mnist_mlp.py'), 'utf8'));
      let rendered = '';
      const render = await runCli(['render', 'mnist_mlp.py', '--format', 'spec'], { cwd: dir, out: (s) => (rendered += s), err: () => undefined });
      assert.equal(render, 0);
      assert.match(rendered, /^model MnistMLP in "mnist_mlp.py"$/m);
      assert.match(rendered, /^h1 = relu\(Linear\(flatten\(x\), 256\)\)$/m);
      writeFileSync(join(dir, 'mnist.mspec'), rendered);
      let out = '';
      const check = await runCli(['check', 'mnist.mspec', '--format', 'json', '--fail-on', 'never'], { cwd: dir, out: (s) => (out += s), err: () => undefined });
      assert.equal(check, 0);
      const report = JSON.parse(out);
      // Checking the spec checks its code too.
      assert.deepEqual(report.files.map((f: { path: string }) => f.path), ['mnist.mspec', 'mnist_mlp.py']);
      assert.equal(report.files[0].language, 'model-spec');
      assert.equal(report.files[0].models[0].framework, 'spec');
      const specFindings = report.files.flatMap((f: { diagnostics: { code: string }[] }) => f.diagnostics.filter((d) => d.code.startsWith('MS')));
      assert.deepEqual(specFindings, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

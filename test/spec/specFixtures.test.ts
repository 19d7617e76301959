// Spec fixture pairs (test/fixtures/spec/<framework>/NAME.mspec + NAME.py|js|ts): the findings each side must
// carry are written in the files as `# expect: MS001` (or `// expect:`) annotations, and the spec diff must
// produce exactly those, in the spec file and in the code file. Matching pairs carry none.

import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { analyzeSource, type FileAnalysis, type ParserSet } from '../../server/src/core/analyze';
import { languageOfPath } from '../../server/src/core/languages';
import { diskSpecHost } from '../../server/src/workspace/specHost';
import { actualFindings, expectedFindings } from '../helpers/expectations';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'spec');

function specFiles(): string[] {
  return readdirSync(FIXTURES).flatMap((dir) => readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.mspec')).map((f) => join(FIXTURES, dir, f))).sort();
}

const onlySpecCodes = (analysis: FileAnalysis) => analysis.findings.filter((f) => f.code.startsWith('MS'));

describe('spec fixtures: findings in both files', () => {
  let ps: ParserSet;
  const host = diskSpecHost(ROOT);
  before(async () => {
    ps = await parsers();
  });

  const analyze = (path: string, specs?: string[]) => {
    const rel = relative(ROOT, path);
    return analyzeSource({ file: { path: rel, language: languageOfPath(rel)!, text: readFileSync(path, 'utf8') }, parsers: ps, specHost: host, specs });
  };

  it('has a pair for every MS code in PyTorch, Keras and TF.js, and matching pairs', () => {
    const names = specFiles().map((f) => relative(FIXTURES, f));
    for (const framework of ['pytorch', 'keras', 'tfjs']) {
      for (const code of ['ms001', 'ms002', 'ms003', 'ms004', 'ms005']) assert.ok(names.some((n) => n.startsWith(`${framework}/${code}`)), `${framework}/${code}*.mspec`);
      assert.ok(names.includes(`${framework}/matching.mspec`), `${framework}/matching.mspec`);
    }
  });

  for (const spec of specFiles()) {
    const rel = relative(FIXTURES, spec);
    it(`${rel}: the spec's findings`, () => {
      const analysis = analyze(spec);
      assert.deepEqual(actualFindings(onlySpecCodes(analysis)), expectedFindings(readFileSync(spec, 'utf8')), analysis.findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`).join('\n'));
      // Every difference names both sides and points at the other file.
      for (const f of analysis.findings.filter((x) => /^MS00[1-5]$/.test(x.code))) {
        assert.match(f.message, /spec|code/);
        assert.ok(f.related?.some((r) => r.path !== undefined && r.path !== analysis.path), `${f.code} at line ${f.range.start.line + 1} has a related location in the code`);
      }
    });
    // The code file beside the spec with the same name carries the code side of the same differences.
    const stem = basename(spec, '.mspec');
    const code = ['.py', '.js', '.ts'].map((ext) => join(FIXTURES, rel.split('/')[0], `${stem}${ext}`)).find((p) => existsSync(p));
    if (code) {
      it(`${relative(FIXTURES, code)}: the code's findings`, () => {
        const analysis = analyze(code, [relative(ROOT, spec)]);
        assert.deepEqual(actualFindings(onlySpecCodes(analysis)), expectedFindings(readFileSync(code, 'utf8')), analysis.findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`).join('\n'));
        for (const f of onlySpecCodes(analysis)) {
          assert.ok(f.related?.some((r) => r.path === relative(ROOT, spec)), `${f.code} at line ${f.range.start.line + 1} points at the spec`);
        }
      });
    }
  }

  it('a code comment `# model-spec: …` binds the code to its spec without being told', () => {
    const analysis = analyze(join(FIXTURES, 'pytorch', 'comment_binding.py'));
    assert.deepEqual(actualFindings(onlySpecCodes(analysis)), ['10:MS004']);
    assert.deepEqual(analysis.dependencies, ['test/fixtures/spec/pytorch/comment_binding.mspec']);
  });

  it('quick fixes go both ways: insert the activation in the code, or update the spec line', () => {
    const spec = analyze(join(FIXTURES, 'pytorch', 'ms001_missing_activation.mspec'));
    const finding = spec.findings.find((f) => f.code === 'MS001')!;
    const titles = (finding.fixes ?? []).map((f) => `${f.path ?? '(spec)'}: ${f.title}`);
    assert.deepEqual(titles, [
      '(spec): Update the spec to match the code: remove relu',
      'test/fixtures/spec/pytorch/ms001_missing_activation.py: Change the code to match the spec: wrap `self.fc2(h)` in F.relu(...)',
    ]);
    assert.equal(finding.fixes![0].edits[0].newText, 'Linear(h1, 128)');
    const code = analyze(join(FIXTURES, 'pytorch', 'ms001_missing_activation.py'), ['test/fixtures/spec/pytorch/ms001_missing_activation.mspec']);
    const codeFinding = code.findings.find((f) => f.code === 'MS001')!;
    assert.equal(codeFinding.fixes?.[0].isPreferred, true);
    assert.deepEqual(codeFinding.fixes?.[0].edits.map((e) => e.newText), ['F.relu(', ')']);
  });

  it('the message says both sides, as a reviewer would', () => {
    const spec = analyze(join(FIXTURES, 'pytorch', 'ms001_missing_activation.mspec'));
    assert.equal(spec.findings.find((f) => f.code === 'MS001')!.message, 'spec: relu after Linear(…, 128) (line 6); code applies none after fc2 (ms001_missing_activation.py:14)');
  });
});

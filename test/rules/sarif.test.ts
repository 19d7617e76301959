// SARIF output: validated against the SARIF 2.1.0 JSON schema (shipped in an npm package, so the test runs offline)
// and checked for what code-scanning tools show: rule metadata from the registry, levels, 1-based regions, fixes.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { type FileAnalysis, type ParserSet, analyzeSource } from '../../server/src/core/analyze';
import { ALL_RULES } from '../../server/src/core/rules/registry';
import { artifactUri, toSarif } from '../../server/src/core/sarif';
import { loadParsers } from '../../server/src/parsing/loadParsers';

const SCHEMA = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');

// The rtm.5 schema has a pattern that is invalid in Unicode mode, hence unicodeRegExp: false.
const check = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(SCHEMA);

function validate(log: unknown): void {
  // Round-trip through JSON so the value validated is exactly what the CLI prints.
  const ok = check(JSON.parse(JSON.stringify(log)));
  assert.ok(ok, JSON.stringify(check.errors?.slice(0, 5), null, 2));
}

describe('SARIF output', () => {
  let parsers: ParserSet;
  let files: FileAnalysis[];
  before(async () => {
    parsers = await loadParsers();
    // The last file has a step the frontend does not know (a hint); fused attention, which had one, is known now.
    const paths = ['MA001/pos_forward_missing_relu.py', 'MA003/pos_sequential_softmax.py', 'MT002/pos_no_zero_grad.py', 'MA010/neg_siamese_encoder.py', 'MA001/neg_fused_qkv_attention.py', '../pytorch/opaque_and_helpers.py'];
    files = paths.map((p) => analyzeSource({ file: { path: `test/fixtures/rules/${p}`, language: 'python', text: readFileSync(join(FIXTURES, p), 'utf8') }, parsers }));
  });

  it('validates against the SARIF 2.1.0 schema', () => {
    validate(toSarif(files, '0.1.0'));
    validate(toSarif([], '0.1.0-dev'));
    // The validator does reject what is not SARIF 2.1.0.
    const log = JSON.parse(JSON.stringify(toSarif(files, '0.1.0')));
    log.runs[0].results[0].level = 'information';
    assert.equal(check(log), false);
    assert.equal(check({ ...toSarif([], '0.1.0'), version: '2.0.0' }), false);
  });

  it('describes every rule from the registry', () => {
    const log = toSarif([], '1.2.3');
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'model-audit');
    assert.equal(driver.version, '1.2.3');
    assert.deepEqual(driver.rules?.map((r) => r.id), ALL_RULES.map((r) => r.code));
    const ma001 = driver.rules!.find((r) => r.id === 'MA001')!;
    assert.equal(ma001.name, 'linear-collapse');
    assert.equal(ma001.defaultConfiguration?.level, 'warning');
    assert.match(ma001.shortDescription!.text, /affine maps/);
    assert.match(ma001.fullDescription!.text, /W₂\(W₁x/);
    assert.match(ma001.help!.markdown!, /^<!-- Generated[\s\S]*# MA001 linear-collapse/);
    assert.equal(driver.rules!.find((r) => r.id === 'MA008')!.defaultConfiguration?.level, 'note');
  });

  it('reports each finding with its rule, level, 1-based region, related locations and fixes', () => {
    const log = toSarif(files, '0.1.0');
    const run = log.runs[0];
    const results = run.results!;
    const collapse = results.find((r) => r.ruleId === 'MA001')!;
    assert.equal(run.tool.driver.rules![collapse.ruleIndex!].id, 'MA001');
    assert.equal(collapse.level, 'warning');
    const loc = collapse.locations![0].physicalLocation!;
    assert.equal(loc.artifactLocation!.uri, 'test/fixtures/rules/MA001/pos_forward_missing_relu.py');
    assert.deepEqual(loc.region, { startLine: 15, startColumn: 13, endLine: 15, endColumn: 24 });
    assert.ok(collapse.relatedLocations!.length >= 1);
    const replacement = collapse.fixes![0].artifactChanges[0].replacements[0];
    assert.equal(replacement.insertedContent?.text, 'F.relu(');
    const hint = results.find((r) => r.ruleId === 'MA000');
    assert.ok(hint, 'frontend hints are reported too');
    assert.equal(hint.level, 'note');
    assert.equal(run.tool.driver.rules![hint.ruleIndex!].name, 'not-understood');
    assert.ok(results.some((r) => r.ruleId === 'MT002'));
    assert.ok(!results.some((r) => r.ruleId === 'MA010'), 'clean look-alikes stay clean');
    assert.equal(run.artifacts!.length, files.length);
  });

  it('turns paths into artifact URIs', () => {
    assert.equal(artifactUri('samples/mlp.py'), 'samples/mlp.py');
    assert.equal(artifactUri('./a b/c.py'), 'a%20b/c.py');
    assert.equal(artifactUri('/home/u/m.py'), 'file:///home/u/m.py');
    assert.equal(artifactUri('C:\\work\\m.py'), 'file:///C:/work/m.py');
  });
});

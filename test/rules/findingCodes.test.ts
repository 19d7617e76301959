// The table of finding codes (core/codes.ts with the probe registry's rows) is the one place a code is described:
// every code the analysis or a probe can report has exactly one row, rules enter it from the registry alone, and
// `model-audit rules` and the SARIF rule metadata print what the table says.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { ALL_FINDING_CODES, rulesText } from '../../server/src/cli/rulesCommand';
import { CORE_CODES, fixSafetyOf } from '../../server/src/core/codes';
import { ALL_RULES } from '../../server/src/core/rules/registry';
import { toSarif } from '../../server/src/core/sarif';
import { PROBE_CODES, PROBE_IDS } from '../../server/src/probe/types';
import { SPEC_SYNTAX, SPEC_UNBOUND } from '../../server/src/core/spec/parseSpec';
import { NOT_UNDERSTOOD } from '../../server/src/core/analyze';

const ROOT = join(__dirname, '..', '..');

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { cwd: ROOT, out: (s) => (out += s), err: (s) => (out += s) });
  return { code, out };
}

describe('table of finding codes', () => {
  it('has one row per code, each with a kebab-case name and words for what it flags, why and its fix', () => {
    const codes = ALL_FINDING_CODES.map((c) => c.code);
    assert.deepEqual(codes, [...new Set(codes)], 'no code twice');
    for (const c of ALL_FINDING_CODES) {
      assert.match(c.code, /^M[ATSP]\d{3}$/);
      assert.match(c.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${c.code} name`);
      for (const field of ['summary', 'why', 'fix'] as const) assert.ok(c[field].length >= 20, `${c.code} ${field} is too short`);
    }
    const names = ALL_FINDING_CODES.map((c) => c.name);
    assert.deepEqual(names, [...new Set(names)], 'no name twice (configuration takes names)');
  });

  it('takes every registered rule from the registry, and every probe from the probe registry', () => {
    for (const rule of ALL_RULES) {
      const row = ALL_FINDING_CODES.find((c) => c.code === rule.code);
      assert.ok(row, `${rule.code} is in the table`);
      assert.equal(row.rule, rule);
      assert.equal(row.defaultSeverity, rule.defaultSeverity);
    }
    for (const id of PROBE_IDS) assert.equal(ALL_FINDING_CODES.find((c) => c.code === PROBE_CODES[id])?.name, id);
    for (const code of [NOT_UNDERSTOOD, SPEC_SYNTAX, SPEC_UNBOUND, 'MS001', 'MS002', 'MS003', 'MS004', 'MS005']) assert.ok(CORE_CODES.some((c) => c.code === code), code);
    assert.deepEqual(ALL_FINDING_CODES.map((c) => c.code.slice(0, 2)).filter((f, i, all) => all.indexOf(f) === i), ['MA', 'MT', 'MS', 'MP'], 'families in order');
  });

  it('reads fix safety from the words of a fix', () => {
    assert.equal(fixSafetyOf('No automatic fix: whether to share is a design decision.'), 'none');
    assert.equal(fixSafetyOf('Inserts optimizer.zero_grad() before the backward call, inside the loop. Safe.'), 'safe');
    assert.equal(fixSafetyOf('Inserts a ReLU after the first map. It changes what the model computes; check it.'), 'review');
    assert.equal(ALL_FINDING_CODES.find((c) => c.code === 'MT002')?.fixSafety, 'safe');
    assert.equal(ALL_FINDING_CODES.find((c) => c.code === 'MA001')?.fixSafety, 'review');
    assert.equal(ALL_FINDING_CODES.find((c) => c.code === 'MA010')?.fixSafety, 'none');
  });

  it('`model-audit rules` lists every code as text, and as JSON with its docs page', async () => {
    const text = await cli(['rules']);
    assert.equal(text.code, 0);
    assert.equal(text.out, rulesText());
    const lines = text.out.trimEnd().split('\n');
    assert.match(lines[0], /^code +name +default +fix +flags$/);
    assert.equal(lines.length, ALL_FINDING_CODES.length + 1);
    assert.match(text.out, /^MA001 +linear-collapse +warning +review +Two or more affine maps/m);
    assert.match(text.out, /^MP002 +overfit +warning +none +The model cannot memorise/m);
    const json = await cli(['rules', '--format', 'json']);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.out) as { version: number; codes: { code: string; name: string; defaultSeverity: string; fixSafety: string; docs: string }[] };
    assert.equal(parsed.version, 1);
    assert.deepEqual(parsed.codes.map((c) => c.code), ALL_FINDING_CODES.map((c) => c.code));
    assert.deepEqual(parsed.codes.find((c) => c.code === 'MS011'), { ...parsed.codes.find((c) => c.code === 'MS011'), name: 'spec-unbound', defaultSeverity: 'error', fixSafety: 'none', docs: 'docs/rules/MS011-spec-unbound.md' });
    assert.equal((await cli(['rules', '--format', 'yaml'])).code, 2);
  });

  it('gives SARIF the table row of a probe or spec code that occurs', () => {
    const finding = (code: string) => ({ code, severity: 'warning' as const, message: 'm', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } });
    const log = toSarif([{ path: 'm.py', language: 'python', models: [], findings: [finding('MP001'), finding('MS004')] }], '0.1.0', new Map(), ALL_FINDING_CODES);
    const rules = log.runs[0].tool.driver.rules!;
    const mp001 = rules.find((r) => r.id === 'MP001')!;
    assert.equal(mp001.name, 'nonlinearity');
    assert.match(mp001.shortDescription!.text, /no better than the best linear map/);
    assert.match(mp001.help!.markdown!, /# MP001 nonlinearity/);
    assert.equal(rules.find((r) => r.id === 'MS004')!.name, 'spec-dim-mismatch');
    assert.equal(rules.filter((r) => /^M[AT]/.test(r.id)).length, ALL_RULES.length, 'every rule is described, with or without results');
  });
});

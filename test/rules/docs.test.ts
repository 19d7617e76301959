// The code docs in docs/rules/ are generated from the table of finding codes (the rule registry, the hint and spec
// codes, the probe registry); this fails when they are stale or incomplete.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../../server/src/core/rules/registry';
import { renderCodeDoc, renderRuleIndex, ruleDocFileName } from '../../server/src/core/rules/ruleDocs';
import { ALL_FINDING_CODES } from '../../server/src/cli/rulesCommand';

const DIR = join(__dirname, '..', '..', 'docs', 'rules');
const REGENERATE = 'run `npx tsx scripts/gen-rule-docs.ts`';

describe('rule docs', () => {
  it('has one current page per finding code, rules, hint, spec and probe codes alike', () => {
    for (const entry of ALL_FINDING_CODES) {
      const path = join(DIR, ruleDocFileName(entry));
      assert.ok(existsSync(path), `${path} is missing: ${REGENERATE}`);
      assert.equal(readFileSync(path, 'utf8'), renderCodeDoc(entry), `${path} is stale: ${REGENERATE}`);
    }
    assert.ok(ALL_FINDING_CODES.length > ALL_RULES.length + 10);
  });

  it('has a current index and no pages for codes that are gone', () => {
    assert.equal(readFileSync(join(DIR, 'README.md'), 'utf8'), renderRuleIndex(ALL_FINDING_CODES), `docs/rules/README.md is stale: ${REGENERATE}`);
    const expected = new Set(['README.md', ...ALL_FINDING_CODES.map(ruleDocFileName)]);
    assert.deepEqual(readdirSync(DIR).filter((f) => !expected.has(f)), [], REGENERATE);
  });

  it('documents every rule in full, with a safe-or-not note on its fix', () => {
    for (const rule of ALL_RULES) {
      const d = rule.docs;
      for (const [field, text] of Object.entries(d)) if (field !== 'fixSafety') assert.ok(text.trim().length >= 20, `${rule.code} docs.${field} is too short`);
      assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/, `${rule.code} name is kebab-case`);
      assert.match(rule.code, /^M[AT]\d{3}$/);
    }
    assert.deepEqual(ALL_RULES.map((r) => r.code), ['MA001', 'MA002', 'MA003', 'MA004', 'MA005', 'MA006', 'MA007', 'MA008', 'MA009', 'MA010', 'MA011', 'MA012', 'MA013', 'MA014', 'MA015', 'MA016', 'MA017', 'MA018', 'MT001', 'MT002', 'MT003', 'MT004', 'MT005', 'MT006', 'MT007', 'MT008']);
  });
});

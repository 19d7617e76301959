// The rule docs in docs/rules/ are generated from the registry; this fails when they are stale or incomplete.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../../server/src/core/rules/registry';
import { renderRuleDoc, renderRuleIndex, ruleDocFileName } from '../../server/src/core/rules/ruleDocs';

const DIR = join(__dirname, '..', '..', 'docs', 'rules');
const REGENERATE = 'run `npx tsx scripts/gen-rule-docs.ts`';

describe('rule docs', () => {
  it('has one current page per rule', () => {
    for (const rule of ALL_RULES) {
      const path = join(DIR, ruleDocFileName(rule));
      assert.ok(existsSync(path), `${path} is missing: ${REGENERATE}`);
      assert.equal(readFileSync(path, 'utf8'), renderRuleDoc(rule), `${path} is stale: ${REGENERATE}`);
    }
  });

  it('has a current index and no pages for rules that are gone', () => {
    assert.equal(readFileSync(join(DIR, 'README.md'), 'utf8'), renderRuleIndex(ALL_RULES), `docs/rules/README.md is stale: ${REGENERATE}`);
    const expected = new Set(['README.md', ...ALL_RULES.map(ruleDocFileName)]);
    assert.deepEqual(readdirSync(DIR).filter((f) => !expected.has(f)), [], REGENERATE);
  });

  it('documents every rule in full, with a safe-or-not note on its fix', () => {
    for (const rule of ALL_RULES) {
      const d = rule.docs;
      for (const [field, text] of Object.entries(d)) assert.ok(text.trim().length >= 20, `${rule.code} docs.${field} is too short`);
      assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/, `${rule.code} name is kebab-case`);
      assert.match(rule.code, /^M[AT]\d{3}$/);
    }
    assert.deepEqual(ALL_RULES.map((r) => r.code), ['MA001', 'MA002', 'MA003', 'MA004', 'MA005', 'MA006', 'MA007', 'MA008', 'MA009', 'MA010', 'MA011', 'MA012', 'MT001', 'MT002', 'MT003', 'MT004', 'MT005', 'MT006']);
  });
});

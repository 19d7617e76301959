// Writes docs/rules/<code>-<name>.md and docs/rules/README.md from the rule registry (`npx tsx scripts/gen-rule-docs.ts`).
// test/rules/docs.test.ts fails when the files on disk differ from what this writes.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../server/src/core/rules/registry';
import { renderRuleDoc, renderRuleIndex, ruleDocFileName } from '../server/src/core/rules/ruleDocs';

const dir = join(__dirname, '..', 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const wanted = new Set(['README.md', ...ALL_RULES.map(ruleDocFileName)]);
for (const file of readdirSync(dir)) if (file.endsWith('.md') && !wanted.has(file)) rmSync(join(dir, file));
for (const rule of ALL_RULES) writeFileSync(join(dir, ruleDocFileName(rule)), renderRuleDoc(rule));
writeFileSync(join(dir, 'README.md'), renderRuleIndex(ALL_RULES));
console.log(`wrote ${ALL_RULES.length} rule pages and the index to docs/rules/`);

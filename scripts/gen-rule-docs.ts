// Writes docs/rules/<code>-<name>.md and docs/rules/README.md from the table of finding codes (the rule registry,
// the hint and spec codes, the probe registry): `npx tsx scripts/gen-rule-docs.ts`.
// test/rules/docs.test.ts fails when the files on disk differ from what this writes.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCodeDoc, renderRuleIndex, ruleDocFileName } from '../server/src/core/rules/ruleDocs';
import { ALL_FINDING_CODES } from '../server/src/cli/rulesCommand';

const dir = join(__dirname, '..', 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const wanted = new Set(['README.md', ...ALL_FINDING_CODES.map(ruleDocFileName)]);
for (const file of readdirSync(dir)) if (file.endsWith('.md') && !wanted.has(file)) rmSync(join(dir, file));
for (const entry of ALL_FINDING_CODES) writeFileSync(join(dir, ruleDocFileName(entry)), renderCodeDoc(entry));
writeFileSync(join(dir, 'README.md'), renderRuleIndex(ALL_FINDING_CODES));
console.log(`wrote ${ALL_FINDING_CODES.length} code pages and the index to docs/rules/`);

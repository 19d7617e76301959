// Prints the golden rendering and the findings of model files: `npx tsx scripts/show-models.ts FILE…`.

import { readFileSync } from 'node:fs';
import { analyzeSource } from '../server/src/core/analyze';
import { loadParsers } from '../server/src/parsing/loadParsers';
import { languageOf } from '../server/src/workspace/files';
import { renderGolden } from '../test/frontends/renderGolden';

void (async () => {
  const parsers = await loadParsers();
  for (const path of process.argv.slice(2)) {
    const language = languageOf(path);
    if (!language) continue;
    const analysis = analyzeSource({ file: { path, language, text: readFileSync(path, 'utf8') }, parsers });
    console.log(`=== ${path}`);
    console.log(renderGolden(analysis));
    for (const f of analysis.findings) console.log(`  L${f.range.start.line + 1} ${f.code} ${f.severity}: ${f.message}${f.fixes?.length ? `  [fix: ${f.fixes[0].edits.map((e) => JSON.stringify(e.newText)).join(' ')}]` : ''}`);
  }
})();

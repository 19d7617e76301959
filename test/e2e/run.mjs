#!/usr/bin/env node
// `npm run test:e2e`: the extension in a real VS Code. Packs the VSIX, installs it offline into a throwaway
// code-server on 127.0.0.1 and checks it two ways:
//   1. browser: headless Chromium looks at the workbench as a user would, one scenario per file in scenarios/
//      (each gets a fresh window and a fresh copy of samples/), with screenshots in test-results/e2e/;
//   2. host: Mocha runs inside the real extension host (test/e2e/host/*.host.ts) against the real `vscode` API.
// Prints one line per check and a final `N passed, M failed`; exits 1 if anything failed.
//
// Options: --vsix FILE (test this VSIX instead of packing one), --samples DIR (workspace to copy instead of
// samples/), --tier browser|host (only that tier), --grep TEXT (only scenarios / host tests whose name has TEXT),
// --keep (keep the temp folder). The tools are installed on demand by scripts/install-e2e-tools.sh.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBrowserTier } from './lib/browserTier.mjs';
import { runHostTier } from './lib/hostTier.mjs';
import { ensureTools, repoRoot } from './lib/tools.mjs';

const { values: options } = parseArgs({
  options: {
    vsix: { type: 'string' },
    samples: { type: 'string' },
    tier: { type: 'string', multiple: true },
    grep: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const tiers = options.tier ?? ['browser', 'host'];
for (const tier of tiers) {
  if (!['browser', 'host'].includes(tier)) throw new Error(`unknown --tier ${tier} (browser or host)`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const resultsDir = join(repoRoot, 'test-results', 'e2e');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const started = Date.now();
console.log(`e2e: tools ready in ${seconds(ensureTools())}`);

let vsix = options.vsix && resolve(options.vsix);
if (!vsix) {
  const packStarted = Date.now();
  const pack = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (pack.status !== 0) throw new Error(`npm run package failed with exit code ${pack.status}`);
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  vsix = join(repoRoot, `${name}-${version}.vsix`);
  console.log(`e2e: packed ${basename(vsix)} in ${seconds(Date.now() - packStarted)}`);
}
if (!existsSync(vsix)) throw new Error(`no VSIX at ${vsix}`);

const samples = resolve(options.samples ?? join(repoRoot, 'samples'));
const tmp = mkdtempSync(join(tmpdir(), 'model-audit-e2e-'));
const context = {
  vsix,
  tmp,
  resultsDir,
  grep: options.grep,
  /** A fresh copy of the sample workspace, so no check sees another's edits. */
  makeWorkspace(id) {
    const dir = join(tmp, 'workspaces', id);
    cpSync(samples, dir, { recursive: true });
    return dir;
  },
};

/** @type {{ tier: string, name: string, ok: boolean, ms: number, error?: string }[]} */
const results = [];
const report = (result) => {
  results.push(result);
  const mark = result.ok ? 'ok  ' : 'FAIL';
  console.log(`${mark} ${result.tier}: ${result.name} (${seconds(result.ms)})`);
  if (!result.ok) console.log(`     ${String(result.error).split('\n').join('\n     ')}`);
};

try {
  if (tiers.includes('browser')) await runBrowserTier(context, report);
  if (tiers.includes('host')) await runHostTier(context, report);
} catch (error) {
  report({ tier: 'harness', name: 'set-up', ok: false, ms: 0, error: error?.stack ?? String(error) });
} finally {
  if (options.keep) console.log(`e2e: kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`e2e: finished in ${seconds(Date.now() - started)}; screenshots and logs in ${resultsDir}`);
if (results.length === 0) {
  console.log('e2e: no checks ran');
  process.exitCode = 1;
}
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) process.exitCode = 1;

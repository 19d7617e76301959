#!/usr/bin/env node
// `npm run test:nvim`: the language server in a real non-VS Code client. Builds the bundle if needed, runs headless
// Neovim (Debian's `neovim` package) with editors/nvim/model-audit.lua on a fresh copy of samples/, and checks that
// each case's diagnostics arrive. Prints the diagnostics Neovim received and a final `N passed, M failed`.
// `--no-build` tests the dist/ bundle as it is instead of running `npm run build` first.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cases = [
  { file: 'mlp_missing_relu.py', expect: ['MA001'] },
  { file: 'shape_mismatch.py', expect: ['MA004'] },
  // The .mspec filetype is registered by the config and the server attaches to spec buffers.
  { file: 'nvim_check.mspec', expect: [] },
];
const SPEC = `# What MissingReluMLP in mlp_missing_relu.py should compute.
model MissingReluMLP in "mlp_missing_relu.py"

input x: [784]
h1 = relu(Linear(x, 256))
h2 = relu(Linear(h1, 128))
y = Linear(h2, 10)
output y
`;

if (spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('nvim not found: apt-get install -y neovim (or run scripts/install-e2e-tools.sh --apt)');
  process.exit(1);
}
if (!process.argv.includes('--no-build')) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'model-audit-nvim-'));
const workspace = join(tmp, 'samples');
cpSync(join(repo, 'samples'), workspace, { recursive: true });
writeFileSync(join(workspace, 'nvim_check.mspec'), SPEC);
let passed = 0;
let failed = 0;
try {
  for (const { file, expect } of cases) {
    const started = Date.now();
    const result = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${join(repo, 'test', 'nvim', 'check.lua')}`], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        MODEL_AUDIT_REPO: repo,
        MODEL_AUDIT_FILE: join(workspace, file),
        MODEL_AUDIT_EXPECT: expect.join(','),
        MODEL_AUDIT_TIMEOUT_MS: '60000',
        XDG_STATE_HOME: join(tmp, 'state'),
        XDG_DATA_HOME: join(tmp, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ok = result.status === 0;
    const what = expect.length > 0 ? `reports ${expect.join(', ')}` : 'gets the server attached';
    console.log(`${ok ? 'ok  ' : 'FAIL'} nvim: ${file} ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const line of `${result.stdout ?? ''}`.trim().split('\n')) console.log(`     ${line}`);
    if (!ok) {
      if (result.error) console.log(`     ${result.error.message}`);
      if (result.stderr?.trim()) console.log(`     stderr: ${result.stderr.trim().split('\n').join('\n     ')}`);
    }
    if (ok) passed++;
    else failed++;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

// `npm run bench:notebooks`: the CLI's notebook analysis on real, public Jupyter notebooks — every .ipynb in the
// fetched snapshots (fchollet/deep-learning-with-python-notebooks, aymericdamien/TensorFlow-Examples, and any other
// fetched repository that has notebooks), read through scripts/bench/mirror.mjs. Each notebook is written to a
// throwaway folder (never into the repository) and checked in-process with `model-audit check --format json`, as a
// user would run it. Prints, per repository and in all: notebooks, parsed ok, refused (with the reasons), models
// found, findings by code, crashes (must be 0) and time; then the figures as JSON. Exit 1 on any crash.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIRROR_ROOT, readRepoFiles } from './bench/mirror.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
let runCli;
try {
  ({ runCli } = require(join(root, 'dist', 'cli.js')));
} catch {
  console.error('bench:notebooks: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}

const PREFERRED = ['fchollet/deep-learning-with-python-notebooks', 'aymericdamien/TensorFlow-Examples'];
let fetched = [];
try {
  fetched = readdirSync(MIRROR_ROOT).filter((d) => d.includes('+')).map((d) => d.replace('+', '/'));
} catch {
  // No snapshots on this machine.
}
const repos = [...PREFERRED.filter((r) => fetched.includes(r)), ...fetched.filter((r) => !PREFERRED.includes(r)).sort()];

const scratch = mkdtempSync(join(tmpdir(), 'ma-bench-notebooks-'));
const rows = [];
const started = Date.now();
try {
  for (const repo of repos) {
    const files = readRepoFiles(repo, (p) => p.endsWith('.ipynb') && !p.includes('.ipynb_checkpoints/'), { maxBytes: 20_000_000 });
    if (!files || files.length === 0) continue;
    const row = { repo, notebooks: files.length, parsedOk: 0, refused: {}, models: 0, frameworks: {}, findings: {}, crashes: [], seconds: 0, slowest: { path: '', ms: 0 } };
    const dir = join(scratch, repo.replace('/', '+'));
    const repoStarted = Date.now();
    for (const file of files) {
      const path = join(dir, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.text);
      let out = '';
      let err = '';
      const t0 = Date.now();
      let code;
      try {
        code = await runCli(['check', file.path, '--format', 'json', '--fail-on', 'never', '--show-hints'], { cwd: dir, out: (s) => (out += s), err: (s) => (err += s) });
      } catch (error) {
        row.crashes.push(`${file.path}: threw ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const ms = Date.now() - t0;
      if (ms > row.slowest.ms) row.slowest = { path: file.path, ms };
      if (code === 2) {
        if (/internal error/.test(err)) row.crashes.push(`${file.path}: ${err.trim()}`);
        else {
          // One line naming the file and the reason; counted by reason, without the file name or JSON positions.
          const reason = err.trim().replace(/^model-audit: /, '').replace(`${file.path}: `, '').replace(/\(.*\)$/, '(…)');
          row.refused[reason] = (row.refused[reason] ?? 0) + 1;
        }
        continue;
      }
      row.parsedOk++;
      const report = JSON.parse(out);
      for (const f of report.files) {
        row.models += f.models.length;
        for (const m of f.models) row.frameworks[m.framework] = (row.frameworks[m.framework] ?? 0) + 1;
        for (const d of f.diagnostics) row.findings[d.code] = (row.findings[d.code] ?? 0) + 1;
      }
    }
    row.seconds = (Date.now() - repoStarted) / 1000;
    rows.push(row);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
const merge = (key) => rows.reduce((acc, r) => {
  for (const [k, v] of Object.entries(r[key])) acc[k] = (acc[k] ?? 0) + v;
  return acc;
}, {});
const total = {
  repos: rows.length,
  notebooks: sum('notebooks'),
  parsedOk: sum('parsedOk'),
  refused: merge('refused'),
  models: sum('models'),
  frameworks: merge('frameworks'),
  findings: merge('findings'),
  crashes: rows.flatMap((r) => r.crashes),
  seconds: (Date.now() - started) / 1000,
};

const sorted = (o) => Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
for (const r of rows) {
  console.log(`${r.repo}`);
  console.log(`  notebooks ${r.notebooks}, parsed ok ${r.parsedOk}, models ${r.models} (${sorted(r.frameworks)}), crashes ${r.crashes.length}, ${r.seconds.toFixed(1)} s (slowest ${r.slowest.path} ${r.slowest.ms} ms)`);
  console.log(`  findings: ${sorted(r.findings)}`);
  for (const [reason, n] of Object.entries(r.refused)) console.log(`  refused ×${n}: ${reason}`);
  for (const c of r.crashes) console.log(`  CRASH ${c}`);
}
console.log(`all: ${total.repos} repositories, ${total.notebooks} notebooks, parsed ok ${total.parsedOk}, refused ${total.notebooks - total.parsedOk - total.crashes.length}, models ${total.models}, crashes ${total.crashes.length}, ${total.seconds.toFixed(1)} s`);
console.log(`all findings: ${sorted(total.findings)}`);
console.log(JSON.stringify({ total, repos: rows.map(({ slowest, ...r }) => ({ ...r, slowestMs: slowest.ms })) }, null, 2));
if (rows.length === 0) console.error('bench:notebooks: no fetched repository has notebooks (looked in ' + MIRROR_ROOT + ')');
process.exitCode = total.crashes.length > 0 ? 1 : 0;

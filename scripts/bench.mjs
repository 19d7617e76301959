// `npm run bench`: measures what users feel, through the real language server over stdio and the real CLI.
//   1. Edit-to-diagnostics latency on generated files of 500, 2,000 and 10,000 lines (a one-character edit inside one
//      model), and how it scales with file size.
//   2. A workspace of 200 model files: time until every opened file has diagnostics, the server's memory after, and
//      the CLI's wall time and peak memory over the whole workspace.
//   3. The same edits through Pyright's language server (a dev dependency), and the ratio.
// Prints a table, then the figures as JSON. `--quick` makes fewer edits (for a smoke run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateModels, writeWorkspace } from './bench/generate.mjs';
import { BenchServer, editLatency, percentile } from './bench/lsp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const ourServer = [cli, 'lsp', '--stdio'];
const pyrightPath = join(root, 'node_modules', 'pyright', 'langserver.index.js');
const pyrightServer = existsSync(pyrightPath) ? [pyrightPath, '--stdio'] : undefined;

const SIZES = [
  { models: 10, label: '500' },
  { models: 40, label: '2,000' },
  { models: 200, label: '10,000' },
];
const EDITS = quick ? 20 : 100;
const PYRIGHT_EDITS = quick ? 4 : 12;
const WORKSPACE_FILES = 200;

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// ----- 1 and 3: edit latency by file size, ours and Pyright's -----
const scratch = mkdtempSync(join(tmpdir(), 'model-audit-bench-'));
const latency = [];
for (const size of SIZES) {
  const text = generateModels(size.models);
  const lines = text.split('\n').length;
  const uri = pathToFileURL(join(scratch, `generated_${size.models}.py`)).href;
  log(`Model Audit, ${lines} lines, ${EDITS} edits`);
  const ours = await editLatency(ourServer, text, EDITS, uri);
  if (ours.diagnostics === 0) throw new Error('the generated file should produce diagnostics');
  let pyright;
  if (pyrightServer) {
    log(`Pyright, ${lines} lines, ${PYRIGHT_EDITS} edits`);
    pyright = await editLatency(pyrightServer, text, PYRIGHT_EDITS, uri, pathToFileURL(scratch).href);
  }
  latency.push({ lines, models: size.models, ours, pyright, ratio: pyright ? pyright.median / ours.median : undefined });
}
const smallest = latency[0];
const largest = latency[latency.length - 1];
const scaling = {
  lines: largest.lines / smallest.lines,
  latency: largest.ours.median / smallest.ours.median,
};

// ----- 1b: a small model file that imports its blocks from a large module -----
log(`Model Audit, a 15-line model importing from a ${generateModels(40).split('\n').length}-line module, ${EDITS} edits`);
const importing = join(scratch, 'importing');
mkdirSync(importing, { recursive: true });
writeFileSync(join(importing, 'blocks.py'), generateModels(40));
const NET = [
  'import torch.nn as nn',
  'import torch.nn.functional as F',
  'from blocks import Model1, Model2',
  '',
  '',
  'class Net(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.a = Model1()',
  '        self.b = Model2()',
  '        self.head = nn.Linear(10, 2)',
  '',
  '    def forward(self, x):',
  '        return self.head(F.relu(self.b(self.a(x))))',
  '',
].join('\n');
const withImports = await editLatency(ourServer, NET, EDITS, pathToFileURL(join(importing, 'net.py')).href, pathToFileURL(importing).href, 'self.head(');

// ----- 2: a workspace of 200 files -----
const workspace = join(scratch, 'workspace');
const files = writeWorkspace(workspace, WORKSPACE_FILES);
const workspaceLines = files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length, 0);
log(`workspace of ${files.length} files (${workspaceLines} lines): opening every file in the server`);
const server = await BenchServer.start(ourServer, pathToFileURL(workspace).href);
const opened = performance.now();
const firsts = await Promise.all(
  files.map((f) => {
    const uri = pathToFileURL(f).href;
    return server.open(uri, readFileSync(f, 'utf8')).then(() => performance.now() - opened);
  }),
);
firsts.sort((a, b) => a - b);
const serverMemoryAtOpenMB = server.residentMB();
// The server collects garbage once analysis has been quiet for a second; memory "with 200 files open" is where the
// resident size settles after that (sampled every 250 ms until four samples agree within 1 MB, at most 15 s).
const serverMemoryMB = await settledResidentMB(server);
await server.stop();

async function settledResidentMB(s) {
  const samples = [];
  const started = performance.now();
  while (performance.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = s.residentMB();
    if (now === undefined) return undefined;
    samples.push(now);
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) < 1 && performance.now() - started > 2000) return now;
  }
  return samples[samples.length - 1];
}

log(`CLI check over the workspace`);
function cliRun(args) {
  const rssFile = join(scratch, `rss-${Date.now()}.txt`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--require', join(root, 'scripts', 'bench', 'maxrss.cjs'), cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, MODEL_AUDIT_BENCH_RSS: rssFile }, maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t;
  if (r.status === 2) throw new Error(r.stderr);
  const peakMB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : undefined;
  return { ms, peakMB, exitCode: r.status };
}
const cliRuns = Array.from({ length: quick ? 1 : 3 }, () => cliRun(['check', workspace, '--format', 'json']));
cliRuns.sort((a, b) => a.ms - b.ms);
const cliWorkspace = { ...percentileRun(cliRuns), runs: cliRuns.length, files: files.length, lines: workspaceLines };
const samplesRuns = Array.from({ length: quick ? 1 : 5 }, () => cliRun(['check', 'samples/']));
samplesRuns.sort((a, b) => a.ms - b.ms);
const cliSamples = { ...percentileRun(samplesRuns), runs: samplesRuns.length };
rmSync(scratch, { recursive: true, force: true });

function percentileRun(runs) {
  const mid = runs[Math.floor((runs.length - 1) / 2)];
  return { medianMs: mid.ms, peakMB: Math.max(...runs.map((r) => r.peakMB ?? 0)) || undefined };
}

// ----- report -----
const TARGETS = { '2,000': 15, '10,000': 40 };
const f = (ms) => (ms === undefined ? 'n/a' : `${ms.toFixed(1)} ms`);
const mb = (x) => (x === undefined ? 'n/a' : `${x.toFixed(0)} MB`);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
console.log(`Model Audit benchmark (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version})`);
console.log('');
console.log('| file | edit → diagnostics median | p95 | open → first diagnostics | Pyright median | Pyright p95 | Pyright ÷ Model Audit | target |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [i, row] of latency.entries()) {
  const target = TARGETS[SIZES[i].label];
  console.log(
    `| ${row.lines} lines, ${row.models} models | ${f(row.ours.median)} | ${f(row.ours.p95)} | ${f(row.ours.openMs)} | ${f(row.pyright?.median)} | ${f(row.pyright?.p95)} | ${row.ratio ? `${row.ratio.toFixed(1)}×` : 'n/a'} | ${target ? `< ${target} ms: ${verdict(row.ours.median < target)}` : ''} |`,
  );
}
console.log('');
console.log(`Scaling: ${scaling.lines.toFixed(0)}× the lines costs ${scaling.latency.toFixed(2)}× the edit latency (linear would be ${scaling.lines.toFixed(0)}×).`);
console.log(`A 15-line model importing two blocks from a 2,005-line module: edit → diagnostics median ${f(withImports.median)}, p95 ${f(withImports.p95)}.`);
console.log(`Edits per size: ${EDITS} (Pyright: ${PYRIGHT_EDITS}).`);
console.log('');
console.log('| workspace of 200 files | value | target |');
console.log('| --- | --- | --- |');
console.log(`| open all → every file has diagnostics | ${f(firsts[firsts.length - 1])} (first file ${f(firsts[0])}, median ${f(percentile(firsts, 0.5))}) | |`);
console.log(`| server resident memory with all open (settled) | ${mb(serverMemoryMB)} (${mb(serverMemoryAtOpenMB)} as the last file's diagnostics arrive) | < 200 MB: ${serverMemoryMB === undefined ? 'n/a' : verdict(serverMemoryMB < 200)} |`);
console.log(`| CLI \`check\` over the workspace (${workspaceLines} lines), median of ${cliWorkspace.runs} | ${f(cliWorkspace.medianMs)}, peak ${mb(cliWorkspace.peakMB)} | < 3 s: ${verdict(cliWorkspace.medianMs < 3000)} |`);
console.log(`| CLI \`check samples/\`, median of ${cliSamples.runs} | ${f(cliSamples.medianMs)}, peak ${mb(cliSamples.peakMB)} | |`);
console.log('');
console.log(
  JSON.stringify(
    {
      machine: { cpus: cpus().length, memoryGB: totalmem() / 2 ** 30, node: process.version },
      editToDiagnostics: latency,
      scaling,
      editWithImports: withImports,
      workspace: { files: files.length, lines: workspaceLines, allDiagnosticsMs: firsts[firsts.length - 1], firstDiagnosticsMs: firsts[0], serverMemoryMB, serverMemoryAtOpenMB },
      cliWorkspace,
      cliSamples,
    },
    null,
    2,
  ),
);

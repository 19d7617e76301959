// `npm run bench`: measures what users feel. Edit-to-diagnostics latency through the real language server over
// stdio on a generated ~2,000-line file of ~40 models, and CLI wall time on samples/. Prints a table and JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { generateModels } from './bench/generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const rpc = require('vscode-languageserver-protocol/node');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function editLatency(text, edits) {
  const child = spawn(process.execPath, [cli, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const waiting = new Map();
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    const w = waiting.get(p.version);
    if (w) {
      waiting.delete(p.version);
      w(p);
    }
  });
  conn.listen();
  await conn.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  await conn.sendNotification(rpc.InitializedNotification.type, {});
  const uri = 'file:///bench/generated.py';
  const published = (version) => new Promise((resolve) => waiting.set(version, resolve));
  let t = performance.now();
  let p = published(1);
  await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
  const first = await p;
  const openMs = performance.now() - t;
  const lines = text.split('\n');
  const target = lines.findIndex((l) => l.includes('self.fc3(x)'));
  const times = [];
  for (let v = 2; v < edits + 2; v++) {
    // A one-character edit inside one model: toggle a space at the end of its line.
    const character = lines[target].length;
    const change = v % 2 === 0 ? { range: { start: { line: target, character }, end: { line: target, character } }, text: ' ' } : { range: { start: { line: target, character }, end: { line: target, character: character + 1 } }, text: '' };
    p = published(v);
    t = performance.now();
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version: v }, contentChanges: [change] });
    await p;
    times.push(performance.now() - t);
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  child.kill();
  times.sort((a, b) => a - b);
  return { openMs, median: percentile(times, 0.5), p95: percentile(times, 0.95), diagnostics: first.diagnostics.length, edits };
}

function cliWallTime(args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status === 2) throw new Error(r.stderr);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), min: times[0], runs };
}

const text = generateModels(40);
const lineCount = text.split('\n').length;
const latency = await editLatency(text, 200);
if (latency.diagnostics === 0) throw new Error('the generated file should produce diagnostics');
const cliSamples = cliWallTime(['check', 'samples/'], 5);
const results = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  editToDiagnostics: { file: `${lineCount} lines, 40 models`, ...latency },
  cliCheckSamples: cliSamples,
};
const f = (ms) => `${ms.toFixed(1)} ms`;
console.log('Model Audit benchmark');
console.log('| measure | value |');
console.log('| --- | --- |');
console.log(`| open → first diagnostics (${lineCount} lines, 40 models) | ${f(latency.openMs)} |`);
console.log(`| edit → diagnostics, median of ${latency.edits} edits | ${f(latency.median)} |`);
console.log(`| edit → diagnostics, p95 | ${f(latency.p95)} |`);
console.log(`| CLI \`check samples/\` wall time, median of ${cliSamples.runs} | ${f(cliSamples.median)} |`);
console.log(JSON.stringify(results, null, 2));

// `npm run bench`: measures what users feel. Edit-to-diagnostics latency through the real language server over
// stdio on a generated ~2,000-line file of ~40 models, and CLI wall time on samples/. Prints a table and JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const rpc = require('vscode-languageserver-protocol/node');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}

/** A file of `count` realistic models; every fifth one lacks an activation. */
export function generateModels(count) {
  const parts = ['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F', ''];
  for (let i = 0; i < count; i++) {
    const w = 64 + (i % 8) * 32;
    parts.push(
      '',
      `class Model${i}(nn.Module):`,
      `    """Generated model ${i}: a ${i % 5 === 0 ? 'buggy' : 'clean'} MLP with a residual block."""`,
      '',
      `    def __init__(self, d_in: int = ${w}, hidden: int = ${w * 2}, classes: int = 10):`,
      '        super().__init__()',
      '        self.fc1 = nn.Linear(d_in, hidden)',
      '        self.fc2 = nn.Linear(hidden, hidden)',
      '        self.norm = nn.LayerNorm(hidden)',
      '        self.fc3 = nn.Linear(hidden, hidden)',
      '        self.dropout = nn.Dropout(0.1)',
      '        self.head = nn.Linear(hidden, classes)',
      '',
      '    def forward(self, x):',
      '        x = F.relu(self.fc1(x))',
      '        residual = x',
      '        x = F.gelu(self.fc2(x))',
      '        x = self.norm(x + residual)',
      `        x = ${i % 5 === 0 ? 'self.dropout(self.fc3(x))' : 'self.dropout(F.relu(self.fc3(x)))'}`,
      '        # The head reads logits for nn.CrossEntropyLoss.',
      '        return self.head(x)',
      '',
      '',
      `def train_step_${i}(model, batch, optimizer):`,
      '    inputs, targets = batch',
      '    optimizer.zero_grad()',
      '    loss = F.cross_entropy(model(inputs), targets)',
      '    loss.backward()',
      '    optimizer.step()',
      '    return loss.item()',
      '',
      '',
      `def evaluate_${i}(model, loader):`,
      '    model.eval()',
      '    correct = 0',
      '    with torch.no_grad():',
      '        for inputs, targets in loader:',
      '            correct += (model(inputs).argmax(1) == targets).sum().item()',
      '    return correct',
      '',
      '',
      `CONFIG_${i} = dict(lr=1e-3, epochs=10, batch_size=64, seed=${i})`,
      `NOTES_${i} = """`,
      ...Array.from({ length: 6 }, (_, k) => `  note line ${k} for model ${i}`),
      '"""',
    );
  }
  return `${parts.join('\n')}\n`;
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

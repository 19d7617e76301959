// A minimal LSP client for the benchmarks: starts a server over stdio, opens and edits documents, and waits for the
// diagnostics the server publishes for a given document version.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const rpc = require('vscode-languageserver-protocol/node');

export class BenchServer {
  /** `command`: the server's argv after node (a script and its flags). */
  static async start(command, rootUri = null) {
    const child = spawn(process.execPath, command, { stdio: ['pipe', 'pipe', 'ignore'] });
    const server = new BenchServer(child);
    await server.initialize(rootUri);
    return server;
  }

  constructor(child) {
    this.child = child;
    // A server that exits on `exit` closes its pipes first; late writes must not crash the benchmark.
    child.stdin.on('error', () => undefined);
    this.waiters = [];
    this.published = new Map();
    this.conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
    this.conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, p.version);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || (p.version !== undefined && p.version < w.version)) return true;
        w.resolve(p);
        return false;
      });
    });
    // Servers ask for configuration, progress tokens and registrations; a plain client answers with defaults.
    this.conn.onRequest((method, params) => (method === 'workspace/configuration' ? params.items.map(() => null) : null));
    this.conn.listen();
  }

  async initialize(rootUri) {
    await this.conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: true } },
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'bench' }] : null,
    });
    await this.conn.sendNotification(rpc.InitializedNotification.type, {});
  }

  /** Resolves with the first diagnostics published for `uri` at `version` or later. */
  diagnostics(uri, version) {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  open(uri, text, languageId = 'python') {
    const published = this.diagnostics(uri, 1);
    this.conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return published;
  }

  change(uri, version, change) {
    const published = this.diagnostics(uri, version);
    this.conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
    return published;
  }

  /** The server process's resident memory in MB (Linux), or undefined elsewhere. */
  residentMB() {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
      return Number.isFinite(kb) ? kb / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async stop() {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
      await this.conn.sendNotification('exit').catch(() => undefined);
    } catch {
      // The server may already be gone.
    }
    this.conn.dispose();
    this.child.kill();
  }
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

/**
 * Edit-to-diagnostics latency: opens `text`, then makes `edits` one-character edits inside one model (a space added
 * at the end of the middle line containing `marker`, then removed), each timed from sending the change to receiving
 * its diagnostics.
 */
export async function editLatency(command, text, edits, uri, rootUri = null, marker = 'self.fc3(x)') {
  const server = await BenchServer.start(command, rootUri);
  try {
    let t = performance.now();
    const first = await server.open(uri, text);
    const openMs = performance.now() - t;
    const lines = text.split('\n');
    // A line in the middle of the file, inside a model's forward.
    const candidates = lines.map((l, i) => (l.includes(marker) ? i : -1)).filter((i) => i >= 0);
    const target = candidates[Math.floor(candidates.length / 2)];
    const character = lines[target].length;
    const times = [];
    for (let v = 2; v < edits + 2; v++) {
      const change = v % 2 === 0
        ? { range: { start: { line: target, character }, end: { line: target, character } }, text: ' ' }
        : { range: { start: { line: target, character }, end: { line: target, character: character + 1 } }, text: '' };
      t = performance.now();
      await server.change(uri, v, change);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { openMs, median: percentile(times, 0.5), p95: percentile(times, 0.95), edits, diagnostics: first.diagnostics.length, line: target + 1 };
  } finally {
    await server.stop();
  }
}

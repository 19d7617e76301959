// Nothing writes to a user's files except an edit the user chose. The CLI's commands and a language-server session
// (open, edit, hover, code lens, quick fixes offered but not applied, close) leave every file byte for byte and
// timestamp for timestamp as it was, and create none.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionRequest, CodeLensRequest, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest } from 'vscode-languageserver-protocol/node';
import { CLI, TestClient } from './helpers/lspClient';

const ROOT = join(__dirname, '..');

/** Every file under `dir` with its content and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(dir, path), `${statSync(path).mtimeMs}:${readFileSync(path, 'base64')}`);
    }
  };
  walk(dir);
  return out;
}

describe('read-only on user files', function () {
  this.timeout(120000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'model-audit-readonly-'));
    cpSync(join(ROOT, 'samples'), join(dir, 'samples'), { recursive: true });
    cpSync(join(ROOT, 'test', 'fixtures', 'spec', 'pytorch'), join(dir, 'spec'), { recursive: true });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the CLI: check (text, JSON, SARIF), render, diff and a spec check change no file and create none', () => {
    const before = snapshot(dir);
    const runs = [
      ['check', '.'],
      ['check', '.', '--format', 'json'],
      ['check', '.', '--format', 'sarif'],
      ['render', 'samples/resnet50.py', '--format', 'markdown'],
      ['render', 'samples/mlp_missing_relu.py', '--format', 'spec'],
      ['diff', 'spec/ms001_missing_activation.mspec'],
      ['check', 'spec/ms001_missing_activation.mspec'],
    ];
    for (const args of runs) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, `${args.join(' ')} printed a report`);
    }
    assert.deepEqual(snapshot(dir), before);
  });

  it('a language-server session: open, edit, hover, code lens, quick fixes offered, close', async () => {
    const before = snapshot(dir);
    const client = await TestClient.start(pathToFileURL(dir).href);
    try {
      const path = join(dir, 'samples', 'mlp_missing_relu.py');
      const uri = pathToFileURL(path).href;
      const text = readFileSync(path, 'utf8');
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
      const diagnostics = await client.waitForDiagnostics(uri, (p) => p.version === 1);
      const ma001 = diagnostics.find((d) => d.code === 'MA001');
      assert.ok(ma001);
      const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: ma001.range, context: { diagnostics: [ma001] } });
      assert.ok((actions ?? []).length > 0, 'quick fixes are offered');
      await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: ma001.range.start.line, character: ma001.range.start.character + 2 } });
      await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: `${text}\n# edited in the editor, not saved\n` }] });
      await client.waitForDiagnostics(uri, (p) => p.version === 2);
      await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    } finally {
      await client.stop();
    }
    assert.deepEqual(snapshot(dir), before);
  });
});

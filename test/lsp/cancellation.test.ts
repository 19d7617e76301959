// Cancellation and staleness over stdio, as an editor produces them: a request cancelled in the same breath as it
// was sent is answered with the LSP cancellation error (never with data), and a burst of edits publishes versions in
// order, each with the diagnostics of its own text, ending with the newest; and edits to a 10,000-line file that arrive
// faster than it is analysed publish only the newest version's diagnostics. Messages are written to the server's
// stdin in one write, so the server reads them together, as it does when an editor sends them back to back.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification, LSPErrorCodes } from 'vscode-languageserver-protocol/node';
import { TestClient } from '../helpers/lspClient';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py');
const TEXT = readFileSync(SAMPLE, 'utf8');
const URI = `${pathToFileURL(SAMPLE).href.replace(/\.py$/, '')}_cancel.py`;

/** JSON-RPC messages framed as LSP sends them, concatenated for one write. */
function frames(...messages: object[]): string {
  return messages.map((m) => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...m });
    return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
  }).join('');
}

describe('language server: cancellation and stale results', function () {
  this.timeout(60000);
  let client: TestClient;
  let raw = '';

  before(async () => {
    client = await TestClient.start();
    client.child.stdout!.on('data', (d) => (raw += String(d)));
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
    await client.waitForDiagnostics(URI, (p) => p.version === 1);
  });

  after(async () => {
    await client.stop();
  });

  it('answers a cancelled request with RequestCancelled, not with its result', async () => {
    const line = TEXT.split('\n').findIndex((l) => l.startsWith('class MissingReluMLP'));
    for (const [id, method, params] of [
      ['cancel-hover', 'textDocument/hover', { textDocument: { uri: URI }, position: { line, character: 8 } }],
      ['cancel-lens', 'textDocument/codeLens', { textDocument: { uri: URI } }],
      ['cancel-equation', 'modelAudit/equation', { uri: URI }],
    ] as const) {
      client.child.stdin!.write(frames({ id, method, params }, { method: '$/cancelRequest', params: { id } }));
      const answer = new RegExp(`\\{"jsonrpc":"2\\.0","id":"${id}",("error":\\{"code":(-?\\d+)|"result")`);
      const deadline = Date.now() + 20000;
      while (!answer.test(raw) && Date.now() < deadline) await new Promise<void>((resolve) => client.child.stdout!.once('data', () => resolve()));
      const match = answer.exec(raw);
      assert.ok(match, `${method} was answered`);
      assert.equal(match[2], String(LSPErrorCodes.RequestCancelled), `${method}: the cancellation error, not a result`);
    }
    assert.ok(client.isAlive);
  });

  it('publishes a burst of edits in version order, each with its own text, ending with the newest', async () => {
    const first = client.history(URI).length;
    // Version v has v blank lines above the model, so its MA001 is v lines lower: a stale set would be on another line.
    const textOf = (v: number) => '\n'.repeat(v) + TEXT;
    const ma001Line = (v: number) => textOf(v).split('\n').findIndex((l) => l.includes('x = self.fc2(x)'));
    const versions = Array.from({ length: 10 }, (_, i) => i + 2);
    client.child.stdin!.write(frames(...versions.map((v) => ({ method: 'textDocument/didChange', params: { textDocument: { uri: URI, version: v }, contentChanges: [{ text: textOf(v) }] } }))));
    await client.waitForDiagnostics(URI, (p) => p.version === versions[versions.length - 1]);
    const published = client.history(URI).slice(first);
    const order = published.map((p) => p.version ?? 0);
    assert.deepEqual(order, [...new Set(order)].sort((a, b) => a - b), 'versions strictly increase');
    assert.equal(order[order.length - 1], 11);
    for (const p of published) {
      const lines = p.diagnostics.filter((d) => d.code === 'MA001').map((d) => d.range.start.line);
      assert.deepEqual(lines, [ma001Line(p.version!)], `version ${p.version} carries its own text's MA001`);
    }
  });

  it('publishes only the newest version when edits to a 10,000-line file arrive faster than its analysis', async () => {
    // 200 copies of the sample, each class renamed: about 10,000 lines, each copy with its own MA001.
    const big = Array.from({ length: 200 }, (_, i) => TEXT.replace(/MissingReluMLP/g, `MissingReluMLP${i}`)).join('\n\n');
    const uri = URI.replace(/_cancel\.py$/, '_burst.py');
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: big } });
    const opened = await client.waitForDiagnostics(uri, (p) => p.version === 1);
    const ma001 = (diagnostics: readonly { code?: unknown; range: { start: { line: number } } }[]) => diagnostics.filter((d) => d.code === 'MA001').map((d) => d.range.start.line);
    const lines = ma001(opened);
    assert.equal(lines.length, 200, 'each copy has its MA001');
    // Twenty keystrokes as an editor sends them, back to back: each adds a blank line at the top, so version v has
    // its findings v - 1 lines below version 1's, and a stale set is told apart by its lines.
    const versions = Array.from({ length: 20 }, (_, i) => i + 2);
    const insertLine = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' };
    client.child.stdin!.write(frames(...versions.map((v) => ({ method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [insertLine] } }))));
    const newest = versions[versions.length - 1];
    await client.waitForDiagnostics(uri, (p) => p.version === newest);
    const published = client.history(uri).slice(1);
    assert.deepEqual(published.map((p) => p.version), [newest], 'the versions the burst replaced were neither analysed nor published');
    assert.deepEqual(ma001(published[0].diagnostics), lines.map((l) => l + newest - 1), "the newest version's own findings");
  });
});

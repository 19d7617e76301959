// Many open documents: the server keeps incremental state only for the documents edited last, and every document,
// inside that window or not, gets the diagnostics its text deserves after each edit.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { TestClient } from '../helpers/lspClient';

const TEXT = readFileSync(join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py'), 'utf8');
const LINES = TEXT.split('\n');
/** `x = self.fc2(x)`: the layer whose activation is missing. */
const BUGGY = LINES.findIndex((l) => l.trim() === 'x = self.fc2(x)');
const DOCUMENTS = 12;
const uriOf = (i: number) => `file:///many/model_${i}.py`;

describe('many open documents', function () {
  this.timeout(120000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    for (let i = 0; i < DOCUMENTS; i++) {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(i), languageId: 'python', version: 1, text: TEXT } });
    }
    for (let i = 0; i < DOCUMENTS; i++) await client.waitForDiagnostics(uriOf(i), (p) => p.version === 1);
  });

  after(async () => {
    await client.stop();
  });

  it('follows ranged edits in a document opened long before the last eleven', async () => {
    assert.ok(BUGGY > 0);
    const ma001 = (version: number) => client.waitForDiagnostics(uriOf(0), (p) => p.version === version).then((d) => d.filter((x) => x.code === 'MA001'));
    assert.ok((await ma001(1)).some((d) => d.range.start.line === BUGGY), 'the opened file reports the missing activation');
    // Type the fix as an editor sends it: `F.relu(` before the call and `)` after it.
    const at = LINES[BUGGY].indexOf('self.fc2');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf(0), version: 2 },
      contentChanges: [{ range: { start: { line: BUGGY, character: at }, end: { line: BUGGY, character: at } }, text: 'F.relu(' }],
    });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf(0), version: 3 },
      contentChanges: [{ range: { start: { line: BUGGY, character: LINES[BUGGY].length + 7 }, end: { line: BUGGY, character: LINES[BUGGY].length + 7 } }, text: ')' }],
    });
    assert.deepEqual(await ma001(3), [], 'the fixed file is clean');
    // Two lines inserted above the model move everything down; the undo brings the finding back two lines lower.
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf(0), version: 4 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# one\n# two\n' }],
    });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf(0), version: 5 },
      contentChanges: [{ range: { start: { line: BUGGY + 2, character: 0 }, end: { line: BUGGY + 2, character: LINES[BUGGY].length + 8 } }, text: LINES[BUGGY] }],
    });
    const back = await ma001(5);
    assert.ok(back.some((d) => d.range.start.line === BUGGY + 2), `MA001 is back at line ${BUGGY + 3}: ${JSON.stringify(back.map((d) => d.range.start.line))}`);
    // The other documents were never touched and still report their own finding.
    assert.ok((await ma001Of(client, uriOf(DOCUMENTS - 1))).some((d) => d.range.start.line === BUGGY));
  });
});

async function ma001Of(client: TestClient, uri: string) {
  return (await client.waitForDiagnostics(uri, (p) => p.version === 1)).filter((d) => d.code === 'MA001');
}

// Probes from the editor: the code lens's command runs them in a worker, failed probes come back as MP diagnostics
// and the verdicts on the code lens; an untrusted workspace refuses to run them until the client says trust was granted.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, CodeLensRequest, DidOpenTextDocumentNotification, ExecuteCommandRequest, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import { TestClient } from '../helpers/lspClient';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py');
const TEXT = readFileSync(SAMPLE, 'utf8');
const URI = pathToFileURL(SAMPLE).href;

describe('probes from the language server', function () {
  this.timeout(120000);

  it('runs nonlinearity from the code lens command: MP001 on the model and the verdict on the lens', async () => {
    const client = await TestClient.start(null, { workspaceTrusted: true });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
      await client.waitForDiagnostics(URI, (p) => p.version === 1);
      const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } })) ?? [];
      assert.ok(lenses.some((l) => l.command?.title === '▶ Run probes'), 'a Run probes lens');
      // The per-probe lens runs just that probe.
      const run = lenses.find((l) => l.command?.title === 'nonlinearity')!;
      assert.deepEqual((run.command!.arguments![0] as { probes: string[] }).probes, ['nonlinearity']);
      const args = { ...(run.command!.arguments![0] as object), seed: 1 };
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: run.command!.command, arguments: [args] })) as { run?: { results: { probe: string; verdict: string }[] } };
      assert.equal(result.run?.results[0].verdict, 'fail');
      const diagnostics = await client.waitForDiagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'MP001'));
      assert.match(String(diagnostics.find((d) => d.code === 'MP001')!.message), /fc2 → fc3 does no better than the best linear fit/);
      const after = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } })) ?? [];
      assert.ok(after.some((l) => /^probes: nonlinearity ✗ /.test(l.command?.title ?? '')), after.map((l) => l.command?.title).join('\n'));
      // The Probe report panel's data: the run's page with its loss curves, and the chart alone for saving.
      const report = (await client.connection.sendRequest('modelAudit/probeReport', { uri: URI })) as { html: string; charts: { model: string; svg: string }[] };
      assert.match(report.html, /nonlinearity/);
      assert.match(report.html, /<svg[^>]*aria-label="loss curves"/);
      assert.equal(report.charts.length, 1);
      assert.equal(report.charts[0].model, 'MissingReluMLP');
      assert.match(report.charts[0].svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    } finally {
      await client.stop();
    }
  });

  it('stops the probe run when its request is cancelled: no verdict reaches the lens or the diagnostics', async () => {
    const client = await TestClient.start(null, { workspaceTrusted: true });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
      await client.waitForDiagnostics(URI, (p) => p.version === 1);
      const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } })) ?? [];
      const run = lenses.find((l) => l.command?.title === 'nonlinearity')!;
      const source = new CancellationTokenSource();
      // Cancelled once the run has started (it asks for its progress), not before the handler begins.
      client.connection.onRequest('window/workDoneProgress/create', () => {
        source.cancel();
        return null;
      });
      const pending = client.connection.sendRequest(ExecuteCommandRequest.type, { command: run.command!.command, arguments: [{ ...(run.command!.arguments![0] as object), seed: 1 }] }, source.token);
      await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
      // Without the token reaching the worker, the run went on to the end and published its MP001 and lens verdict.
      const after = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } })) ?? [];
      assert.ok(!after.some((l) => /^probes: /.test(l.command?.title ?? '')), after.map((l) => l.command?.title).join('\n'));
    } finally {
      await client.stop();
    }
  });

  it('offers the sizes the code leaves open on a code lens, and runs with the sizes given', async () => {
    const file = join(__dirname, '..', 'probe', 'fixtures', 'real', 'ctor_args.py');
    const uri = pathToFileURL(file).href;
    const client = await TestClient.start(null, { workspaceTrusted: true });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') } });
      await client.waitForDiagnostics(uri, (p) => p.version === 1);
      const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
      const sizes = lenses.find((l) => l.command?.command === 'modelAudit.setProbeSizes');
      assert.ok(sizes, lenses.map((l) => l.command?.title).join('\n'));
      assert.equal(sizes.command!.title, 'probe sizes: n_features 32? · n_classes 10? (? assumed) — set…');
      assert.deepEqual(sizes.command!.arguments, [{ uri, model: 'TabularClassifier', sizes: { n_features: 32, n_classes: 10 } }]);
      // What the client's command sends once the user has edited the values.
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'modelAudit.runProbes', arguments: [{ uri, model: 'TabularClassifier', probes: ['init-loss'], sizes: { n_features: 32, n_classes: 3 } }] })) as { run?: { notes: string[]; results: { summary: string }[] } };
      assert.ok(result.run?.notes.includes('n_classes set to 3'), JSON.stringify(result));
      assert.match(result.run!.results[0]!.summary, /ln 3/);
      const after = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
      assert.ok(after.some((l) => l.command?.title === 'probe sizes: n_features 32 · n_classes 3 (? assumed) — set…'), after.map((l) => l.command?.title).join('\n'));
    } finally {
      await client.stop();
    }
  });

  it('runs the spec bake-off when an open spec is bound to the model, with the spec in the report', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'spec', 'pytorch');
    const code = join(dir, 'ms001_missing_activation.py');
    const spec = join(dir, 'ms001_missing_activation.mspec');
    const client = await TestClient.start(null, { workspaceTrusted: true });
    try {
      const codeUri = pathToFileURL(code).href;
      const specUri = pathToFileURL(spec).href;
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: specUri, languageId: 'model-spec', version: 1, text: readFileSync(spec, 'utf8') } });
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: codeUri, languageId: 'python', version: 1, text: readFileSync(code, 'utf8') } });
      await client.waitForDiagnostics(codeUri, (p) => p.diagnostics.some((d) => d.code === 'MS001'));
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'modelAudit.runProbes', arguments: [{ uri: codeUri, model: 'MnistMLP', probes: ['spec-bakeoff'], seed: 1 }] })) as { run?: { results: { probe: string; verdict: string; summary: string }[] } };
      assert.equal(result.run?.results[0].probe, 'spec-bakeoff');
      assert.match(result.run!.results[0].verdict, /^(pass|fail|inconclusive)$/);
      assert.ok(result.run!.results[0].summary.length > 10);
    } finally {
      await client.stop();
    }
  });

  it('refuses to run probes in an untrusted workspace and says why', async () => {
    const client = await TestClient.start(null, { workspaceTrusted: false });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
      await client.waitForDiagnostics(URI, (p) => p.version === 1);
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'modelAudit.runProbes', arguments: [{ uri: URI, model: 'MissingReluMLP' }] })) as { refused?: string };
      assert.match(result.refused ?? '', /untrusted workspace/);
      assert.ok(client.messages.some((m) => /untrusted workspace/.test(m)));
      assert.equal(await client.connection.sendRequest('modelAudit/probeReport', { uri: URI }), null, 'no report when nothing ran');
    } finally {
      await client.stop();
    }
  });

  it('runs probes once trust is granted while the server runs, without a restart', async () => {
    const xor = join(__dirname, '..', '..', 'samples', 'probe_xor_mlp.py');
    const uri = pathToFileURL(xor).href;
    const client = await TestClient.start(null, { workspaceTrusted: false });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(xor, 'utf8') } });
      await client.waitForDiagnostics(uri, (p) => p.version === 1);
      const args = { uri, model: 'XorMLP', probes: ['init-loss'], seed: 1 };
      const refused = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'modelAudit.runProbes', arguments: [args] })) as { refused?: string };
      assert.match(refused.refused ?? '', /untrusted workspace/);
      const warnings = client.messages.length;

      // What the VS Code client sends when the user grants trust (vscode.workspace.onDidGrantWorkspaceTrust).
      await client.connection.sendNotification('modelAudit/workspaceTrust', { trusted: true });
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'modelAudit.runProbes', arguments: [args] })) as { refused?: string; run?: { model: string; results: { probe: string; verdict: string }[] } };
      assert.equal(result.refused, undefined, 'no longer refused');
      assert.equal(result.run?.model, 'XorMLP');
      assert.deepEqual(result.run?.results.map((r) => r.probe), ['init-loss']);
      assert.match(result.run!.results[0].verdict, /^(pass|fail|inconclusive)$/);
      assert.deepEqual(client.messages.slice(warnings).filter((m) => /untrusted/.test(m)), [], 'no second refusal');
      const report = (await client.connection.sendRequest('modelAudit/probeReport', { uri })) as { html: string } | null;
      assert.match(report?.html ?? '', /init-loss/, 'the run is in the probe report');
    } finally {
      await client.stop();
    }
  });
});

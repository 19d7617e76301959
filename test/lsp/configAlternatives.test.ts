// Configuration alternatives in the editor, over stdio: hovering a model whose code branches on its configuration
// (`if self.use_bn:`) shows the default equation marked as the default and, after it, each other configuration
// with its label; modelAudit/equation carries them for the equation panel.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { TestClient } from '../helpers/lspClient';

const FIXTURE = join(__dirname, '..', 'fixtures', 'models', 'pt_config_branches.py');
const TEXT = readFileSync(FIXTURE, 'utf8');
const URI = pathToFileURL(FIXTURE).href;
const LINES = TEXT.split('\n');
const PLAIN = join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py');
const PLAIN_URI = pathToFileURL(PLAIN).href;

/** 0-based line of the first line that includes `text`; fails the test when there is none. */
function lineOf(text: string, lines = LINES): number {
  const line = lines.findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `no line with ${text}`);
  return line;
}

describe('configuration alternatives in hover and modelAudit/equation over stdio', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: PLAIN_URI, languageId: 'python', version: 1, text: readFileSync(PLAIN, 'utf8') },
    });
  });

  after(async () => {
    await client.stop();
  });

  const hoverOnClass = async (name: string, uri = URI, lines = LINES): Promise<string> => {
    const line = lineOf(`class ${name}(`, lines);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 'class '.length + 2 } });
    assert.ok(hover, `no hover on class ${name}`);
    return (hover.contents as MarkupContent).value;
  };
  const ask = (params: ModelEquationRequest.Params) => client.connection.sendRequest<ModelEquationRequest.Result>(ModelEquationRequest.method, params);

  it('hovers the class with the default equation marked as the default, then the other configuration labelled', async () => {
    const text = await hoverOnClass('ConvBlock');
    const defaultAt = text.indexOf('**Default configuration** (`use_bn=True`):\n\n```text\ny = ReLU(BN(W₁∗x))\n```');
    assert.ok(defaultAt >= 0, text);
    const otherAt = text.indexOf('**Other configurations**, not the default');
    const alternativeAt = text.indexOf('*With `use_bn=False`* (the default is `use_bn=True`):\n\n```text\ny = ReLU(W₁∗x + b₁)\n```');
    assert.ok(otherAt > defaultAt, 'the other configurations come after the default equation');
    assert.ok(alternativeAt > otherAt, text);
    // The parameter table stays the default's: the bias only the other configuration has is not in it.
    assert.match(text, /\| `W₁ ∈ ℝ\^\{out_ch×in_ch×3×3\}` \| conv \| 16 \|/);
    assert.doesNotMatch(text, /`b₁/);
  });

  it('lists every other configuration in the order the code branches, a layer only one of them applies included', async () => {
    const text = await hoverOnClass('SmallNet');
    assert.ok(text.includes('**Default configuration** (`use_bn=True`, `cfg.residual=True`, `use_dropout=False`):'), text);
    const labels = [...text.matchAll(/^\*With `([^`]+)`\* \(the default is `([^`]+)`\):$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(labels, [
      ['use_bn=False', 'use_bn=True'],
      ['cfg.residual=False', 'cfg.residual=True'],
      ['use_dropout=True', 'use_dropout=False'],
    ]);
    const residualOff = text.slice(text.indexOf('*With `cfg.residual=False`*'));
    assert.ok(
      residualOff.includes('```text\ny = W₅·ReLU(W₆·ReLU(W₄·ReLU(W₃·flatten(avgpool(ReLU(BN(W₂∗ReLU(BN(W₁∗x)))))) + b₃) + b₄) + b₆) + b₅\n```'),
      residualOff,
    );
    // W₆ (the projection) is only in that configuration, not in the default equation above it.
    const defaultEquation = /^\*\*Default configuration\*\*[^\n]*\n\n```text\n([^\n]*)\n```/m.exec(text)![1];
    assert.match(defaultEquation, /^y = W₅·ReLU\(h₂ \+ /);
    assert.ok(!defaultEquation.includes('W₆') && !defaultEquation.includes('dropout'), defaultEquation);
    assert.ok(text.includes('Step by step in the default configuration:'), 'the steps say which configuration they are');
  });

  it('says when the default only assumes a value the file does not fix', async () => {
    const text = await hoverOnClass('PreNormMLP');
    assert.ok(text.includes('**Default configuration** (assuming `config.pre_norm`, whose value is not known):\n\n```text\ny = x + W₂·GELU(W₁·LN(x) + b₁) + b₂\n```'), text);
    assert.ok(
      text.includes('*If `not config.pre_norm`* (its value is not known; the default equation assumes `config.pre_norm`):\n\n```text\ny = x + W₂·GELU(W₁x + b₁) + b₂\n```'),
      text,
    );
  });

  it('hovers a model without configuration branches as before: no default marked, no other configurations', async () => {
    const lines = readFileSync(PLAIN, 'utf8').split('\n');
    const text = await hoverOnClass('MissingReluMLP', PLAIN_URI, lines);
    assert.match(text, /^\*\*MissingReluMLP\*\* · PyTorch model\n\n```text\ny = W₃·/);
    assert.doesNotMatch(text, /configuration/i);
    assert.ok(text.includes('Step by step:\n'));
  });

  it('answers modelAudit/equation with the alternatives: label, condition line, Unicode and LaTeX', async () => {
    const result = await ask({ uri: URI, position: { line: lineOf('x = self.conv(x)'), character: 8 } });
    const model = result.model!;
    assert.equal(model.name, 'ConvBlock');
    assert.equal(model.unicode, 'y = ReLU(BN(W₁∗x))', 'the model itself stays the default');
    assert.deepEqual(model.alternatives, [
      {
        condition: 'self.use_bn',
        assumed: 'use_bn=True',
        when: 'use_bn=False',
        known: true,
        label: 'if use_bn=False (default: use_bn=True)',
        line: lineOf('if self.use_bn:'),
        unicode: 'y = ReLU(W₁∗x + b₁)',
        latexLines: ['y = \\operatorname{ReLU}\\left(W_{1} \\ast x + b_{1}\\right)'],
      },
    ]);
    const small = (await ask({ uri: URI, model: 'SmallNet' })).model!;
    assert.deepEqual(
      small.alternatives!.map((a) => [a.when, a.line]),
      [['use_bn=False', lineOf('if self.use_bn:')], ['cfg.residual=False', lineOf('if self.cfg.residual:')], ['use_dropout=True', lineOf('if use_dropout:')]],
    );
    assert.ok(small.alternatives![1].latexLines[0].includes('W_{6}'), 'the projection only that configuration applies');
    assert.ok(!small.latexLines.some((l) => l.includes('W_{6}')));
    const mlp = (await ask({ uri: URI, model: 'PreNormMLP' })).model!;
    assert.deepEqual(mlp.alternatives!.map((a) => [a.known, a.label]), [[false, 'if not config.pre_norm (not known; the equation assumes config.pre_norm)']]);
    const plain = (await ask({ uri: PLAIN_URI, model: 'MissingReluMLP' })).model!;
    assert.ok(!('alternatives' in plain), 'absent where the code does not branch on its configuration');
  });
});

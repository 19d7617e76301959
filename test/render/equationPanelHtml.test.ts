// The equation panel's HTML as a pure function (the webview shows exactly this): a strict Content-Security-Policy
// with a nonce, nothing loaded from the network, KaTeX's typeset math with each parameter linked to its line, the
// theme's variables, and the long closed form giving way to the steps.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderEquationBody, renderEquationPanelHtml, visibleLength } from '../../client/src/equationHtml';
import { analyzeSource } from '../../server/src/core/analyze';
import { modelEquation } from '../../server/src/lsp/equationRequest';
import type { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');

async function answer(sample: string, model: string): Promise<ModelEquationRequest.Result> {
  const path = join(ROOT, 'samples', sample);
  const analysis = analyzeSource({ file: { path, language: 'python', text: readFileSync(path, 'utf8') }, parsers: await parsers() });
  return modelEquation(analysis, { uri: pathToFileURL(path).href, model });
}

const OPTIONS = { cspSource: 'vscode-webview://abc', nonce: 'bm9uY2U', katexCssUri: 'vscode-webview://abc/dist/katex/katex.min.css' };

describe('equation panel HTML', () => {
  it('has a strict Content-Security-Policy: nonce for scripts and style elements, only the webview origin, no network', async () => {
    const html = renderEquationPanelHtml(await answer('transformer_encoder.py', 'TransformerClassifier'), OPTIONS);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-bm9uY2U'(;|$)/);
    assert.match(csp, /style-src-elem vscode-webview:\/\/abc 'nonce-bm9uY2U'/);
    assert.doesNotMatch(csp, /unsafe-eval|https?:|\*/);
    for (const tag of html.match(/<script[^>]*>|<style[^>]*>/g)!) assert.match(tag, /nonce="bm9uY2U"/, tag);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'nothing loads from the network');
  });

  it('typesets the equation with KaTeX and links each parameter to the line that builds it', async () => {
    const result = await answer('transformer_encoder.py', 'TransformerClassifier');
    const body = renderEquationBody(result);
    assert.match(body, /class="katex-display"/);
    assert.doesNotMatch(body, /katex-error/);
    const queryLine = result.model!.parameters.find((p) => p.module === 'blocks.0.attn.query')!.line!;
    assert.match(body, new RegExp(`<span class="enclosing" data-line="${queryLine}">`));
    assert.match(body, /<td class="shape">3072×768<\/td>/);
    assert.match(body, /SelfAttention ×12/);
    assert.match(body, /data-command="copyLatex"/);
    // Each named value with its shape; the steps' h's link to the lines that compute them.
    assert.match(body, /<h2>Shapes \(per sample\)<\/h2>/);
    const h9 = result.model!.values.find((v) => v.display === 'h₉')!;
    assert.match(body, new RegExp(`<td class="shape">${h9.shape}</td><td class="line"><a href="#" data-line="${h9.line}">`));
  });

  it('lets the steps stand in for a closed form too wide for the panel (ResNet-50)', async () => {
    const body = renderEquationBody(await answer('resnet50.py', 'ResNet50'));
    assert.match(body, /too long to show in one line here/);
    assert.match(body, /<details open><summary>Step by step<\/summary>/);
    assert.equal(visibleLength('W_{1} x + b_{1}'), 6, 'W1x+b1');
  });

  it('says so when the cursor is in no model', () => {
    assert.match(renderEquationBody({ models: ['A', 'B'] }), /No model here.*A, B/);
  });

  it('takes the theme from VS Code variables, and fills them in outside VS Code', async () => {
    const result = await answer('resnet50.py', 'ResNet50');
    assert.match(renderEquationPanelHtml(result, OPTIONS), /var\(--vscode-editor-background/);
    const themed = renderEquationPanelHtml(result, { ...OPTIONS, theme: { bodyClass: 'vscode-dark', variables: { '--vscode-editor-background': '#1f1f1f' } } });
    assert.match(themed, /<body class="vscode-dark">/);
    assert.match(themed, /--vscode-editor-background: #1f1f1f;/);
  });
});

// The equation panel with configuration alternatives (`if self.use_bn:`), as the webview shows it: the default
// equation headed as the default, then each other configuration as its own KaTeX block under a label that links to
// the condition's line; and the hover's cap on how many it lists.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderEquationBody } from '../../client/src/equationHtml';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import { MAX_HOVER_ALTERNATIVES, modelHoverMarkdown } from '../../server/src/lsp/hover';
import { modelEquation } from '../../server/src/lsp/equationRequest';
import { parsers } from '../helpers/parsers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'models', 'pt_config_branches.py');
const TEXT = readFileSync(FIXTURE, 'utf8');
const LINES = TEXT.split('\n');

async function analysis(): Promise<FileAnalysis> {
  return analyzeSource({ file: { path: FIXTURE, language: 'python', text: TEXT }, parsers: await parsers() });
}

async function body(model: string): Promise<string> {
  return renderEquationBody(modelEquation(await analysis(), { uri: pathToFileURL(FIXTURE).href, model }));
}

/** The text a reader sees in a piece of the panel: tags and KaTeX's zero-width spaces removed. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/\u200b/g, '').replace(/&amp;/g, '&');
}

/** The HTML of the section with class `name`. */
function section(html: string, name: string): string {
  const start = html.indexOf(`<section class="${name}"`);
  assert.ok(start >= 0, `no ${name} section`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('equation panel: configuration alternatives', () => {
  it('heads the default equation as the default and typesets each other configuration below it, labelled', async () => {
    const html = await body('ConvBlock');
    assert.doesNotMatch(html, /katex-error/);
    const equation = section(html, 'equation');
    assert.match(equation, /^<section class="equation" aria-label="Equation"><h2 class="default">Default configuration: <code>use_bn=True<\/code><\/h2>/);
    assert.ok(visibleText(equation).endsWith('y=ReLU(BN(W1∗x))'), visibleText(equation));
    const others = section(html, 'alternatives');
    assert.ok(html.indexOf(others) > html.indexOf(equation), 'below the default equation');
    const condition = LINES.findIndex((l) => l.includes('if self.use_bn:'));
    assert.match(others, new RegExp(`<h3><a href="#" data-line="${condition}" title="Go to the condition">With <code>use_bn=False</code> <span class="meta">\\(the default is <code>use_bn=True</code>\\)</span></a></h3><span class="katex-display">`));
    assert.equal(visibleText(others), 'Other configurations (not the default; findings follow the default)With use_bn=False (the default is use_bn=True)y=ReLU(W1∗x+b1)');
  });

  it('links the parameters every configuration shares, not one only an alternative applies, nor its step names', async () => {
    const html = await body('SmallNet');
    const result = modelEquation(await analysis(), { uri: pathToFileURL(FIXTURE).href, model: 'SmallNet' });
    const others = section(html, 'alternatives');
    assert.equal((others.match(/<div class="alternative">/g) ?? []).length, 3);
    const w1 = result.model!.parameters.find((p) => p.display === 'W₁')!;
    assert.match(others, new RegExp(`<span class="enclosing" data-line="${w1.line}">`), 'W₁ links to the convolution');
    const residualOff = others.slice(others.indexOf('cfg.residual=False'));
    assert.match(visibleText(residualOff), /W6⋅ReLU/, 'the projection is in that configuration');
    // Neither the projection (W₆, not in the parameter table) nor h₆ (the alternative's own step) links anywhere.
    const linked = new Set([...others.matchAll(/data-line="(\d+)"/g)].map((m) => Number(m[1])));
    const known = new Set([...result.model!.parameters.map((p) => p.line), ...result.model!.alternatives!.map((a) => a.line)]);
    for (const line of linked) assert.ok(known.has(line), `line ${line + 1} is neither a parameter's nor a condition's`);
    assert.match(html, /<summary>Step by step \(default configuration\)<\/summary>/);
  });

  it('says what the default assumes when the file does not fix the value', async () => {
    const html = await body('PreNormMLP');
    assert.match(section(html, 'equation'), /<h2 class="default">Default configuration: assuming <code>config.pre_norm<\/code> \(not known\)<\/h2>/);
    assert.equal(
      visibleText(section(html, 'alternatives')),
      'Other configurations (not the default; findings follow the default)If not config.pre_norm (its value is not known; the default equation assumes config.pre_norm)y=x+W2⋅GELU(W1x+b1)+b2',
    );
  });

  it('shows no configuration headings for a model that does not branch on one', async () => {
    const path = join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py');
    const result = modelEquation(analyzeSource({ file: { path, language: 'python', text: readFileSync(path, 'utf8') }, parsers: await parsers() }), {
      uri: pathToFileURL(path).href,
      model: 'MissingReluMLP',
    });
    const html = renderEquationBody(result);
    assert.doesNotMatch(html, /class="alternatives"|class="default"|configuration/);
  });
});

describe('hover: configuration alternatives beyond the cap', () => {
  it(`lists at most ${MAX_HOVER_ALTERNATIVES} and says how many more there are`, async () => {
    const model = (await analysis()).models.find((m) => m.graph.name === 'ConvBlock')!;
    const [alt] = model.equation.alternatives!;
    const many = Array.from({ length: MAX_HOVER_ALTERNATIVES + 2 }, (_, i) => ({ ...alt, when: `flag${i}=False`, assumed: `flag${i}=True` }));
    const text = modelHoverMarkdown({ ...model, equation: { ...model.equation, alternatives: many } });
    const labels = [...text.matchAll(/^\*With `(flag\d+)=False`\*/gm)].map((m) => m[1]);
    assert.deepEqual(labels, ['flag0', 'flag1', 'flag2', 'flag3', 'flag4', 'flag5']);
    assert.ok(text.includes('*…and 2 more (`model-audit render` prints them all).*'), text);
  });
});

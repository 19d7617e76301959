// Equation renderings for every model in the samples and fixtures: Unicode and LaTeX goldens (one file per source
// file under test/golden/equations/, reviewed like code), KaTeX renders every LaTeX output (and the Markdown for pull requests) without error,
// and the readability promises hold: a repeated block is defined once and applied with a power.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import katex from 'katex';
import { analyzeSource, type FileAnalysis, type ModelAnalysis } from '../../server/src/core/analyze';
import type { Language } from '../../server/src/core/graph';
import { renderModels } from '../../server/src/cli/renderCommand';
import { alternativeLabel } from '../../server/src/core/render/alternatives';
import { expectGolden } from '../helpers/golden';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');
const GOLDEN_DIR = join(__dirname, '..', 'golden', 'equations');
const LANGUAGES: Record<string, Language> = { '.py': 'python', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.ts': 'typescript' };

/** Every model source file under samples/ and test/fixtures/, grouped by folder. */
function corpus(): Map<string, string[]> {
  const byFolder = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (LANGUAGES[extname(name)] && !name.endsWith('.d.ts')) {
        const folder = relative(ROOT, dirname(full));
        byFolder.set(folder, [...(byFolder.get(folder) ?? []), full]);
      }
    }
  };
  walk(join(ROOT, 'samples'));
  walk(join(ROOT, 'test', 'fixtures'));
  return byFolder;
}

async function analyze(file: string): Promise<FileAnalysis> {
  const text = readFileSync(file, 'utf8');
  return analyzeSource({ file: { path: relative(ROOT, file), language: LANGUAGES[extname(file)], text }, parsers: await parsers() });
}

/** Every LaTeX string a user can see for a model: the one-line form, the display lines, the steps, the collapse. */
function latexOutputs(model: ModelAnalysis): string[] {
  const eq = model.equation;
  return [eq.latex, ...eq.latexLines, ...eq.latexSteps, ...(eq.latexCollapsed ?? []), ...eq.symbols.map((s) => s.latex), ...(eq.alternatives ?? []).flatMap((a) => [a.latex, ...a.latexLines])];
}

function equationSnapshot(analysis: FileAnalysis): string {
  const lines: string[] = [`## ${analysis.path}`];
  for (const m of analysis.models) {
    const eq = m.equation;
    lines.push(`# ${m.graph.name} (${m.graph.framework})`, eq.text, ...eq.steps.map((s) => `  ${s}`));
    if (eq.collapsed) lines.push(`  collapses: ${eq.collapsed}`);
    lines.push('latex:', ...eq.latexLines.map((l) => `  ${l}`));
    lines.push('latex steps:', ...eq.latexSteps.map((l) => `  ${l}`));
    if (eq.latexCollapsed) lines.push('latex collapsed:', ...eq.latexCollapsed.map((l) => `  ${l}`));
    for (const alt of eq.alternatives ?? []) lines.push(`${alternativeLabel(alt)}:`, `  ${alt.text}`, ...alt.latexLines.map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

/** KaTeX in its strictest mode: any parse error, unknown command or Unicode character in math mode throws. */
function renderKatex(latex: string, displayMode: boolean): string {
  return katex.renderToString(latex, { throwOnError: true, strict: 'error', displayMode, output: 'html' });
}

describe('equation renderings', () => {
  for (const [folder, files] of corpus()) {
    it(`${folder}: Unicode and LaTeX goldens, and KaTeX renders every LaTeX output`, async () => {
      for (const file of files) {
        const analysis = await analyze(file);
        // One golden per source file, so a new fixture only adds a file (written on its first run).
        expectGolden(join(GOLDEN_DIR, `${relative(ROOT, file)}.txt`), `${equationSnapshot(analysis)}\n`);
        for (const model of analysis.models) {
          for (const latex of latexOutputs(model)) {
            assert.doesNotThrow(() => renderKatex(latex, true), (e: unknown) => `${relative(ROOT, file)} ${model.graph.name}: ${String(e)}\n${latex}`);
          }
        }
        if (analysis.models.length > 0) {
          const markdown = renderModels({ path: relative(ROOT, file), analysis } as never, { format: 'markdown' });
          for (const block of mathBlocks(markdown)) renderKatex(block, true);
        }
      }
    });
  }

  it('defines a repeated block once and applies it with a power (12-block transformer, ResNet-50)', async () => {
    const transformer = (await analyze(join(ROOT, 'samples', 'transformer_encoder.py'))).models.find((m) => m.graph.name === 'TransformerClassifier')!;
    assert.match(transformer.equation.text, /^y = W\S*·mean\(LN\(EncoderBlock¹²\(E\(x\)\)\)\) \+ b\S*; EncoderBlock\(z\) = /);
    assert.match(transformer.equation.text, /SelfAttention\(z\) = .*softmax\(/);
    assert.ok(transformer.equation.steps.some((s) => /^h\S* = EncoderBlock¹²\(h\S*\)$/.test(s)), transformer.equation.steps.join('\n'));
    const resnet = (await analyze(join(ROOT, 'samples', 'resnet50.py'))).models.find((m) => m.graph.name === 'ResNet50')!;
    for (const power of ['Bottleneck²', 'Bottleneck³', 'Bottleneck⁵']) assert.ok(resnet.equation.text.includes(`${power}(DownsampleBottleneck(`), power);
    assert.match(resnet.equation.text, /Bottleneck\(z\) = ReLU\(BN\(W₃∗ReLU\(BN\(W₂∗ReLU\(BN\(W₁∗z\)\)\)\)\) \+ z\)/);
    // One screen: every line of the steps and definitions fits, and there are few of them.
    assert.ok(resnet.equation.steps.length <= 20, `${resnet.equation.steps.length} steps`);
    assert.ok(transformer.equation.steps.length <= 20, `${transformer.equation.steps.length} steps`);
  });

  it('gives each block parameter its block, and keeps subscripts unique across definitions and the model', async () => {
    const model = (await analyze(join(ROOT, 'samples', 'transformer_encoder.py'))).models.find((m) => m.graph.name === 'TransformerClassifier')!;
    const names = model.equation.symbols.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    const query = model.equation.symbols.find((s) => s.module === 'blocks.0.attn.query' && s.kind === 'weight')!;
    assert.equal(query.block, 'SelfAttention');
    assert.equal(query.applications, 12);
    assert.deepEqual(query.shape, [768, 768]);
    const head = model.equation.symbols.find((s) => s.module === 'head' && s.kind === 'weight')!;
    assert.equal(head.block, undefined);
  });

  it('sets single-letter symbols in italic and names in roman, as KaTeX shows them', () => {
    const html = renderKatex('W_{1} x + b_{1} = \\operatorname{ReLU}\\left(h_{1}\\right) + L', false);
    for (const letter of ['W', 'x', 'b', 'h', 'L']) assert.match(html, new RegExp(`<span class="mord mathnormal"[^>]*>${letter}</span>`), letter);
    assert.match(html, /<span class="mop"><span class="mord mathrm">ReLU<\/span><\/span>/);
  });
});

function mathBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const re = /\$\$\n([\s\S]*?)\n\$\$/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push(m[1]);
  return blocks;
}

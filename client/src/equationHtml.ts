// The equation panel's HTML, as a pure function of the server's answer: KaTeX renders the math here (so the
// webview needs no script to typeset), each parameter is a link to the line that builds it, and the colours come
// from VS Code's theme variables. Pure, so tests and the screenshot script render it outside VS Code.

import katex from 'katex';
import type { ModelEquationRequest } from '../../server/src/shared/customMessages';

export interface PanelHtmlOptions {
  /** The webview's `cspSource` (or `file:` outside VS Code): where the stylesheet and fonts may load from. */
  readonly cspSource: string;
  /** A fresh random value per page: only the script carrying it runs. */
  readonly nonce: string;
  /** URI of KaTeX's stylesheet (its fonts sit beside it in `fonts/`). */
  readonly katexCssUri: string;
  /** Outside VS Code: values for the `--vscode-*` theme variables and the body class (`vscode-light`, `vscode-dark`). */
  readonly theme?: { readonly bodyClass: string; readonly variables: Readonly<Record<string, string>> };
}

/** The whole page: Content-Security-Policy, KaTeX's stylesheet, the panel's own style and script, and the body. */
export function renderEquationPanelHtml(result: ModelEquationRequest.Result, options: PanelHtmlOptions): string {
  const { cspSource, nonce } = options;
  // KaTeX positions glyphs with inline style attributes, so those are allowed; style and script elements need the
  // nonce or the webview's own origin, and nothing loads from anywhere else.
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src-elem ${cspSource} 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const themeStyle = options.theme
    ? `\n<style nonce="${nonce}">:root { ${Object.entries(options.theme.variables).map(([k, v]) => `${k}: ${v};`).join(' ')} }</style>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(options.katexCssUri)}">
<style nonce="${nonce}">${PANEL_CSS}</style>${themeStyle}
<title>Model equation</title>
</head>
<body${options.theme ? ` class="${escapeAttr(options.theme.bodyClass)}"` : ''}>
<main id="content">${renderEquationBody(result)}</main>
<script nonce="${nonce}">${PANEL_SCRIPT}</script>
</body>
</html>
`;
}

/** The panel's content for one answer; the webview swaps it in place when the cursor moves to another model. */
export function renderEquationBody(result: ModelEquationRequest.Result): string {
  const model = result.model;
  if (!model) {
    return `<p class="empty">No model here. Put the cursor in a model's definition${result.models.length > 0 ? ` (this file has ${result.models.map(escapeHtml).join(', ')})` : ''}.</p>`;
  }
  // Parameters and the named steps (h₁, h₂, …) link to their lines.
  const link = linker([...model.parameters, ...model.values.filter((v) => /^h_\{\d+\}$/.test(v.latex))]);
  const parts: string[] = [];
  parts.push(`<header>
  <h1>${escapeHtml(model.name)}</h1>
  <span class="meta">${escapeHtml(FRAMEWORKS[model.framework] ?? model.framework)} · <a href="#" data-line="${model.line}">line ${model.line + 1}</a>${model.stale ? ' · <span class="stale">kept from the last version that parsed</span>' : ''}</span>
  <span class="actions"><button data-command="copyLatex" title="Copy the steps as a LaTeX aligned block">Copy LaTeX</button><button data-command="copyMarkdown" title="Copy as Markdown with $$ math blocks, for a pull request">Copy Markdown</button></span>
</header>`);
  // A closed form too wide for the panel (KaTeX does not wrap display math) gives way to the steps below it.
  const fitting = model.latexLines.filter((l) => visibleLength(l) <= MAX_LINE_SYMBOLS);
  const tooLong = model.latexLines.length - fitting.length;
  const note = tooLong > 0 ? `<p class="note">${tooLong === 1 ? 'One line of the closed form is' : `${tooLong} lines of the closed form are`} too long to show in one line here; the steps below spell ${tooLong === 1 ? 'it' : 'them'} out.</p>` : '';
  const alternatives = model.alternatives ?? [];
  const defaultHeading = alternatives.length > 0 ? `<h2 class="default">${defaultLabel(alternatives)}</h2>` : '';
  parts.push(`<section class="equation" aria-label="Equation">${defaultHeading}${fitting.length > 0 ? display(fitting.map(link)) : ''}${note}</section>`);
  if (model.latexCollapsed && model.latexCollapsed.length > 0) {
    parts.push(`<section class="collapse" aria-label="Collapsed form"><h2>Affine layers collapse: no activation between them</h2>${display(model.latexCollapsed.map(link))}</section>`);
  }
  if (alternatives.length > 0) {
    // The step names (h₆) of another configuration are its own, so only the parameters link: a layer keeps its
    // W index in every configuration, and one only this configuration applies is not in the table.
    const linkParameters = linker(model.parameters);
    parts.push(alternativesSection(alternatives, linkParameters));
  }
  if (model.latexSteps.length > 1) {
    parts.push(`<section class="steps"><details${model.latexSteps.length <= 24 || tooLong > 0 ? ' open' : ''}><summary>Step by step${alternatives.length > 0 ? ' (default configuration)' : ''}</summary>${display(model.latexSteps.map(link))}</details></section>`);
  }
  parts.push(valuesTable(model.values));
  const weights = model.parameters.filter((p) => p.kind === 'weight');
  if (weights.length > 0) {
    const rows = model.parameters.map((p) => {
      const symbol = katex.renderToString(p.latex, { throwOnError: false, output: 'html' });
      const layer = p.module ? `<code>${escapeHtml(p.module)}</code>` : '';
      const block = p.block ? `<span class="block" title="${p.shared ? 'one tensor, used by every application' : 'each application has its own copy'}">${escapeHtml(p.block)} ×${p.applications ?? 1}${p.shared ? ', shared' : ''}</span>` : '';
      const line = p.line !== undefined ? `<a href="#" data-line="${p.line}">${p.line + 1}</a>` : '';
      return `<tr class="${p.kind}"><td class="symbol"${p.line !== undefined ? ` data-line="${p.line}"` : ''}>${symbol}</td><td class="shape">${escapeHtml(p.shape ?? '')}</td><td>${layer} ${block}</td><td class="line">${line}</td></tr>`;
    });
    parts.push(`<section class="parameters"><h2>Parameters</h2><table><thead><tr><th>symbol</th><th>shape</th><th>layer</th><th>line</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`);
  }
  parts.push('<footer>Click a parameter or a value to go to its line. In a repeated block, each application has its own copy of the block\'s parameters, unless they are marked shared.</footer>');
  return parts.join('\n');
}

/** Over the default equation: which configuration it shows, `Default configuration: use_bn=True, …`. */
function defaultLabel(alternatives: readonly ModelEquationRequest.Alternative[]): string {
  const unique = (values: string[]) => [...new Set(values)].map((v) => `<code>${escapeHtml(v)}</code>`);
  const defaults = unique(alternatives.filter((a) => a.known).map((a) => a.assumed));
  const assumed = unique(alternatives.filter((a) => !a.known).map((a) => a.assumed));
  const notKnown = assumed.length > 0 ? `assuming ${assumed.join(', ')} (not known)` : '';
  return `Default configuration: ${[defaults.join(', '), notKnown].filter((p) => p !== '').join('; ')}`;
}

/** Each other configuration as its own display math, labelled with its case; the label links to the condition. */
function alternativesSection(alternatives: readonly ModelEquationRequest.Alternative[], link: (latex: string) => string): string {
  const items = alternatives.map((a) => {
    const label = a.known
      ? `With <code>${escapeHtml(a.when)}</code> <span class="meta">(the default is <code>${escapeHtml(a.assumed)}</code>)</span>`
      : `If <code>${escapeHtml(a.when)}</code> <span class="meta">(its value is not known; the default equation assumes <code>${escapeHtml(a.assumed)}</code>)</span>`;
    return `<div class="alternative"><h3><a href="#" data-line="${a.line}" title="Go to the condition">${label}</a></h3>${display(a.latexLines.map(link))}</div>`;
  });
  return `<section class="alternatives" aria-label="Other configurations"><h2>Other configurations (not the default; findings follow the default)</h2>${items.join('')}</section>`;
}

/** About how many symbols fit in one display line of the panel at its usual width. */
const MAX_LINE_SYMBOLS = 110;

/** Roughly how many symbols a LaTeX line shows: commands and braces count for what they print. */
export function visibleLength(latex: string): number {
  return latex
    .replace(/\\operatorname\{([^}]*)\}/g, '$1')
    .replace(/\\(left|right|quad|,|;|!)/g, '')
    .replace(/\\[A-Za-z]+/g, 'x')
    .replace(/[{}_^ ]/g, '').length;
}

/** The shape of each named value, per sample, with the line that computes it. */
function valuesTable(values: readonly ModelEquationRequest.Value[]): string {
  if (!values.some((v) => v.shape)) return '';
  const rows = values.map((v) => {
    const name = katex.renderToString(v.latex, { throwOnError: false, output: 'html' });
    const line = v.line !== undefined ? `<a href="#" data-line="${v.line}">${v.line + 1}</a>` : '';
    return `<tr><td class="symbol"${v.line !== undefined ? ` data-line="${v.line}"` : ''}>${name}</td><td class="shape">${escapeHtml(v.shape ?? '?')}</td><td class="line">${line}</td></tr>`;
  });
  return `<section class="values"><h2>Shapes (per sample)</h2><table><thead><tr><th>value</th><th>shape</th><th>line</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const FRAMEWORKS: Record<string, string> = { pytorch: 'PyTorch', keras: 'Keras', tfjs: 'TensorFlow.js', spec: 'spec' };

/** Display math: `name = expression` lines aligned at the equals sign. */
function display(lines: readonly string[]): string {
  const latex = `\\begin{aligned}${lines.map((l) => l.replace(' = ', ' &= ')).join(' \\\\[0.35em] ')}\\end{aligned}`;
  return katex.renderToString(latex, {
    displayMode: true,
    throwOnError: false,
    output: 'html',
    // \htmlData carries a parameter's source line to the click handler; no other HTML extension is allowed.
    trust: (context) => context.command === '\\htmlData',
    strict: 'ignore',
  });
}

/** Wraps each parameter with a source line in `\htmlData{line=N}{…}` so a click can reveal its layer. */
function linker(parameters: readonly { readonly latex: string; readonly line?: number }[]): (latex: string) => string {
  const byLatex = new Map<string, number>();
  for (const p of parameters) if (p.line !== undefined && !byLatex.has(p.latex)) byLatex.set(p.latex, p.line);
  if (byLatex.size === 0) return (latex) => latex;
  const alternatives = [...byLatex.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // A symbol is a whole token: not part of a longer name, not followed by another subscript digit.
  const pattern = new RegExp(`(?<![A-Za-z\\\\])(${alternatives.join('|')})(?![A-Za-z0-9'])`, 'g');
  return (latex) => latex.replace(pattern, (symbol) => `\\htmlData{line=${byLatex.get(symbol)}}{${symbol}}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** For a double-quoted attribute: quotes inside it stay readable (the CSP's 'none'). */
function escapeAttr(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const PANEL_CSS = `
:root { color-scheme: light dark; }
body {
  margin: 0; padding: 12px 20px 24px;
  background: var(--vscode-editor-background, #ffffff);
  color: var(--vscode-editor-foreground, #1f1f1f);
  font-family: var(--vscode-font-family, system-ui, sans-serif);
  font-size: var(--vscode-font-size, 13px);
  line-height: 1.45;
}
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; border-bottom: 1px solid var(--vscode-panel-border, #d0d0d0); padding-bottom: 8px; }
h1 { font-size: 1.35em; margin: 0; font-weight: 600; }
h2 { font-size: 1em; margin: 14px 0 4px; font-weight: 600; color: var(--vscode-descriptionForeground, #616161); }
.meta { color: var(--vscode-descriptionForeground, #616161); }
.actions { margin-left: auto; display: flex; gap: 6px; }
button {
  font: inherit; cursor: pointer; padding: 3px 10px; border-radius: 2px;
  color: var(--vscode-button-secondaryForeground, #1f1f1f); background: var(--vscode-button-secondaryBackground, #e5e5e5);
  border: 1px solid var(--vscode-button-border, transparent);
}
button:hover { background: var(--vscode-button-secondaryHoverBackground, #d5d5d5); }
a { color: var(--vscode-textLink-foreground, #006ab1); text-decoration: none; }
a:hover { text-decoration: underline; }
.stale { color: var(--vscode-editorWarning-foreground, #bf8803); }
.katex { font-size: 1.12em; color: var(--vscode-editor-foreground, #1f1f1f); }
.katex-display { margin: 0.6em 0; overflow-x: auto; overflow-y: hidden; padding: 2px 0; text-align: left; }
.katex-display > .katex { text-align: left; }
[data-line] { cursor: pointer; }
.katex [data-line] { color: var(--vscode-textLink-foreground, #006ab1); }
.katex [data-line]:hover { text-decoration: underline; }
.collapse { border-left: 3px solid var(--vscode-editorWarning-foreground, #bf8803); padding-left: 10px; margin-top: 8px; }
.collapse h2 { color: var(--vscode-editorWarning-foreground, #bf8803); }
.alternatives { border-left: 3px solid var(--vscode-panel-border, #d0d0d0); padding-left: 10px; margin-top: 12px; }
h3 { font-size: 1em; margin: 10px 0 2px; font-weight: 600; }
h3 a, h3 a:hover { color: inherit; }
h3 a:hover code { text-decoration: underline; }
details summary { cursor: pointer; font-weight: 600; color: var(--vscode-descriptionForeground, #616161); margin-top: 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 2px 14px 2px 0; border-bottom: 1px solid var(--vscode-panel-border, #e4e4e4); vertical-align: baseline; }
th { font-weight: 600; color: var(--vscode-descriptionForeground, #616161); }
td.symbol .katex { font-size: 1.05em; }
tr.bias td { color: var(--vscode-descriptionForeground, #616161); }
code { font-family: var(--vscode-editor-font-family, ui-monospace, monospace); font-size: 0.95em; }
.block { margin-left: 6px; padding: 0 5px; border-radius: 3px; font-size: 0.9em; background: var(--vscode-badge-background, #e0e0e0); color: var(--vscode-badge-foreground, #1f1f1f); }
footer { margin-top: 16px; color: var(--vscode-descriptionForeground, #616161); font-size: 0.92em; }
.note { color: var(--vscode-descriptionForeground, #616161); font-style: italic; margin: 4px 0; }
.empty { color: var(--vscode-descriptionForeground, #616161); }
`;

// Clicks on a parameter ask the extension to reveal its line; buttons run the copy commands; an `update` message
// swaps the content when the cursor moves to another model. Outside VS Code (screenshots) there is no API and
// clicks do nothing.
const PANEL_SCRIPT = `
(function () {
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  if (vscode) vscode.postMessage({ type: 'ready' });
  document.addEventListener('click', function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const button = target.closest('[data-command]');
    if (button) { vscode && vscode.postMessage({ type: button.getAttribute('data-command') }); return; }
    const link = target.closest('[data-line]');
    if (link) { event.preventDefault(); vscode && vscode.postMessage({ type: 'reveal', line: Number(link.getAttribute('data-line')) }); }
  });
  window.addEventListener('message', function (event) {
    const message = event.data;
    if (message && message.type === 'update' && typeof message.html === 'string') {
      document.getElementById('content').innerHTML = message.html;
    }
  });
})();
`;

// `npm run screenshots`: renders the equation panel's HTML (the same pure function the VS Code webview uses) for a
// ResNet-50 and a 12-block transformer sample, in VS Code's light and dark themes, and screenshots each page in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; nothing is downloaded and every
// non-local request is aborted). Writes PNGs and the HTML under test-results/equation-panel/ and fails when a page
// logs an error, breaks its Content-Security-Policy, loads anything from the network, or renders without KaTeX's
// fonts. Needs `npm run build` first (for dist/katex); the npm script does that.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderEquationPanelHtml } from '../client/src/equationHtml';
import { analyzeSource } from '../server/src/core/analyze';
import { modelEquation } from '../server/src/lsp/equationRequest';
import { loadParsers } from '../server/src/parsing/loadParsers';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'test-results', 'equation-panel');
const CHROMIUM = '/usr/bin/chromium';
const KATEX_CSS = join(ROOT, 'dist', 'katex', 'katex.min.css');

const PAGES = [
  { name: 'resnet50', file: 'samples/resnet50.py', model: 'ResNet50' },
  { name: 'transformer', file: 'samples/transformer_encoder.py', model: 'TransformerClassifier' },
];

// The values VS Code's default themes give the variables the panel reads (Light+ and Dark+ / Dark Modern).
const THEMES = {
  light: {
    bodyClass: 'vscode-light',
    variables: {
      '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
      '--vscode-font-size': '13px', '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace', '--vscode-descriptionForeground': '#717171',
      '--vscode-textLink-foreground': '#005fb8', '--vscode-panel-border': '#e5e5e5', '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    variables: {
      '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
      '--vscode-font-size': '13px', '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace', '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-textLink-foreground': '#4daafc', '--vscode-panel-border': '#2b2b2b', '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
    },
  },
} as const;

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.error(`screenshots: ${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium).`);
    return 2;
  }
  if (!existsSync(KATEX_CSS)) {
    console.error(`screenshots: ${KATEX_CSS} is missing; run npm run build first.`);
    return 2;
  }
  mkdirSync(OUT, { recursive: true });
  const parsers = await loadParsers();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems: string[] = [];
  try {
    for (const spec of PAGES) {
      const path = join(ROOT, spec.file);
      const analysis = analyzeSource({ file: { path: spec.file, language: 'python', text: readFileSync(path, 'utf8') }, parsers });
      const result = modelEquation(analysis, { uri: pathToFileURL(path).href, model: spec.model });
      if (!result.model) {
        problems.push(`${spec.file}: no model ${spec.model}`);
        continue;
      }
      for (const [themeName, theme] of Object.entries(THEMES)) {
        const html = renderEquationPanelHtml(result, { cspSource: 'file:', nonce: 'c2NyZWVuc2hvdA', katexCssUri: pathToFileURL(KATEX_CSS).href, theme });
        const htmlPath = join(OUT, `${spec.name}-${themeName}.html`);
        writeFileSync(htmlPath, html);
        const page = await browser.newPage({ viewport: { width: 960, height: 900 }, deviceScaleFactor: 1 });
        const label = `${spec.name}-${themeName}`;
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(`${label}: console ${message.type()}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`${label}: page error: ${error.message}`));
        page.on('requestfailed', (request) => problems.push(`${label}: request failed: ${request.url()}`));
        // Offline: only the page's own files load.
        await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
        await page.goto(pathToFileURL(htmlPath).href);
        // Page code as strings: this file is type-checked without the DOM library.
        await page.evaluate('document.fonts.ready.then(() => true)');
        const check = (await page.evaluate(`({
          katexFont: document.fonts.check('16px KaTeX_Main') && [...document.fonts].some((f) => f.family.includes('KaTeX') && f.status === 'loaded'),
          formulas: document.querySelectorAll('.katex-display').length,
          links: document.querySelectorAll('.katex [data-line]').length,
          errors: document.querySelectorAll('.katex-error').length,
          height: document.documentElement.scrollHeight,
        })`)) as { katexFont: boolean; formulas: number; links: number; errors: number; height: number };
        if (!check.katexFont) problems.push(`${label}: KaTeX's fonts did not load`);
        if (check.errors > 0) problems.push(`${label}: ${check.errors} formulas KaTeX could not render`);
        if (check.links === 0) problems.push(`${label}: no parameter in the equation links to its line`);
        const png = join(OUT, `${label}.png`);
        await page.screenshot({ path: png, fullPage: true });
        console.log(`${png}  (${check.formulas} formulas, ${check.links} linked symbols, ${check.height}px tall)`);
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  for (const p of problems) console.error(`screenshots: ${p}`);
  return problems.length > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});

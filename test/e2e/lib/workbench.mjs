// Headless Chromium (Debian's, driven by playwright-core) looking at a code-server workbench, and the few user
// gestures the scenarios need: open a folder, open a file with Quick Open, run a command from the palette, show
// the Problems panel, hover a word, take a screenshot. Every wait is on something visible, with a generous timeout.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, loadPlaywright } from './tools.mjs';

/** Generous, because on 2 busy cores the workbench takes 5–8 s and a diagnostic 12–20 s (shared/E2E.md). */
export const TIMEOUT = {
  workbench: 90_000,
  ui: 30_000,
  server: 120_000,
};

export async function launchBrowser(profileDir, { log = () => {} } = {}) {
  const { chromium } = loadPlaywright();
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Offline by design: anything not on 127.0.0.1 (the extension gallery, CDNs) is refused at once.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    log(`blocked ${url.origin}${url.pathname}`);
    return route.abort('blockedbyclient');
  });
  return context;
}

export class Workbench {
  /**
   * @param {import('playwright-core').Page} page
   * @param {{ baseUrl: string, screenshotDir: string, prefix: string }} options
   */
  constructor(page, { baseUrl, screenshotDir, prefix }) {
    this.page = page;
    this.baseUrl = baseUrl;
    this.screenshotDir = screenshotDir;
    this.prefix = prefix;
    this.screenshots = [];
    mkdirSync(screenshotDir, { recursive: true });
  }

  /** Opens `folder` (an absolute path on the code-server machine) and waits for the explorer to list `expectFile`. */
  async openFolder(folder, expectFile) {
    await this.page.goto(`${this.baseUrl}/?folder=${encodeURIComponent(folder)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT.workbench });
    if (expectFile) {
      await this.page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: expectFile })
        .first()
        .waitFor({ timeout: TIMEOUT.workbench });
    }
  }

  /** Quick Open (Ctrl+P), the file name, Enter; resolves when its editor tab is active. */
  async openFile(name) {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: TIMEOUT.ui });
    await input.fill(name);
    await this.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: name })
      .first()
      .waitFor({ timeout: TIMEOUT.ui });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: TIMEOUT.ui });
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor({ timeout: TIMEOUT.ui });
  }

  /** Runs a command by its title from the command palette (F1). */
  async runCommand(title) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: TIMEOUT.ui });
    await input.fill(`>${title}`);
    await this.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: title })
      .first()
      .waitFor({ timeout: TIMEOUT.ui });
    await this.page.keyboard.press('Enter');
  }

  /** Shows the Problems panel (Ctrl+Shift+M) and returns its locator. */
  async showProblems() {
    await this.page.keyboard.press('Control+Shift+M');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ timeout: TIMEOUT.ui });
    return panel;
  }

  /** The active editor's locator. */
  editor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Moves the mouse over the first token in the active editor whose text is exactly `word`; returns the hover. */
  async hoverWord(word) {
    const token = this.editor().locator('.view-line span span', { hasText: new RegExp(`^${word}$`) }).first();
    await token.waitFor({ timeout: TIMEOUT.ui });
    const box = await token.boundingBox();
    if (!box) throw new Error(`token ${word} is not on screen`);
    // Two moves, so the editor sees the pointer arrive on the word rather than jump onto it.
    await this.page.mouse.move(box.x + 2, box.y + box.height / 2);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    return this.page.locator('.monaco-hover:not(.hidden)').first();
  }

  /** Saves a full-window screenshot as test-results/e2e/<prefix>-<name>.png and returns its path. */
  async screenshot(name) {
    const path = join(this.screenshotDir, `${this.prefix}-${name}.png`);
    await this.page.screenshot({ path });
    this.screenshots.push(path);
    return path;
  }

  /** Saves a screenshot of one element (a status bar item, a hover) as test-results/e2e/<prefix>-<name>.png. */
  async screenshotOf(locator, name) {
    const path = join(this.screenshotDir, `${this.prefix}-${name}.png`);
    await locator.screenshot({ path });
    this.screenshots.push(path);
    return path;
  }
}

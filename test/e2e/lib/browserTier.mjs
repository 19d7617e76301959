// Tier one: what a user sees. One code-server with the VSIX installed; each scenario in ../scenarios/ (run in file
// name order) gets its own Chromium profile, window and copy of the samples. A scenario module exports
// `{ name, run({ workbench, page, workspace }) }` and throws to fail; it saves the screenshots it wants to show,
// and the runner adds one on failure.
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { installVsix, makeProfile, startCodeServer } from './codeServer.mjs';
import { checkInstalledExtension } from './packageCheck.mjs';
import { launchBrowser, Workbench } from './workbench.mjs';

const scenariosDir = new URL('../scenarios/', import.meta.url);

export async function loadScenarios(grep) {
  const files = readdirSync(scenariosDir).filter((f) => f.endsWith('.mjs')).sort();
  const scenarios = [];
  for (const file of files) {
    const { default: scenario } = await import(new URL(file, scenariosDir).href);
    if (!scenario?.name || typeof scenario.run !== 'function') {
      throw new Error(`scenarios/${file} must export default { name, run }`);
    }
    if (grep && !scenario.name.includes(grep) && !file.includes(grep)) continue;
    scenarios.push({ id: basename(file, '.mjs'), ...scenario });
  }
  return scenarios;
}

export async function runBrowserTier(context, report) {
  const scenarios = await loadScenarios(context.grep);
  if (scenarios.length === 0) return;
  const profile = makeProfile(join(context.tmp, 'browser-profile'));
  const installStarted = Date.now();
  installVsix(profile, context.vsix);
  const [installed] = readdirSync(profile.extensionsDir).filter((f) => f.startsWith('model-audit.'));
  try {
    const summary = checkInstalledExtension(join(profile.extensionsDir, installed));
    report({ tier: 'package', name: `the VSIX installs offline with every file its manifest references (${summary})`, ok: true, ms: Date.now() - installStarted });
  } catch (error) {
    report({ tier: 'package', name: 'the VSIX installs offline with every file its manifest references', ok: false, ms: Date.now() - installStarted, error: error.message });
  }
  const server = await startCodeServer(profile, { logFile: join(context.resultsDir, 'code-server-browser.log') });
  try {
    for (const scenario of scenarios) {
      const started = Date.now();
      const consoleLines = [];
      const browser = await launchBrowser(join(context.tmp, 'chromium', scenario.id), {
        log: (line) => consoleLines.push(line),
      });
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
      page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
      const workbench = new Workbench(page, {
        baseUrl: server.baseUrl,
        screenshotDir: context.resultsDir,
        prefix: scenario.id,
      });
      const workspace = context.makeWorkspace(scenario.id);
      try {
        await scenario.run({ workbench, page, workspace });
        report({ tier: 'browser', name: scenario.name, ok: true, ms: Date.now() - started });
      } catch (error) {
        let shot = '';
        try {
          shot = `\nscreenshot: ${await workbench.screenshot('failure')}`;
        } catch {}
        report({ tier: 'browser', name: scenario.name, ok: false, ms: Date.now() - started, error: `${error?.stack ?? error}${shot}` });
      } finally {
        writeFileSync(join(context.resultsDir, `${scenario.id}-console.log`), consoleLines.join('\n') + '\n');
        await browser.close();
      }
    }
  } finally {
    await server.stop();
    keepLogs(profile, join(context.resultsDir, 'logs-browser'));
  }
}

/** Copies VS Code's own logs (extension host, the Model Audit output channel) next to the screenshots. */
export function keepLogs(profile, target) {
  const logs = join(profile.userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, target, { recursive: true });
}

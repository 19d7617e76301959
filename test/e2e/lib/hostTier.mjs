// Tier two: Mocha inside the real extension host (shared/E2E.md, "Mocha inside the real extension host"). The
// tests in ../host/ are bundled with esbuild (Mocha included, `vscode` left to the host); the VSIX is installed
// into a folder of its own that is then loaded as the development extension, so the code under test is exactly
// what ships; code-server runs with the smoke-test driver so the workbench honours the test payload and reports
// the end through window.codeAutomationExit.
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installVsix, makeProfile, startCodeServer } from './codeServer.mjs';
import { keepLogs } from './browserTier.mjs';
import { repoRoot } from './tools.mjs';
import { launchBrowser } from './workbench.mjs';

const HOST_TIMEOUT = 15 * 60_000;

async function bundleHostTests(outdir) {
  const { build } = createRequire(join(repoRoot, 'package.json'))('esbuild');
  const hostDir = join(repoRoot, 'test', 'e2e', 'host');
  const entryPoints = readdirSync(hostDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.host.ts'))
    .map((f) => join(hostDir, f));
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    // Mocha's parallel mode resolves worker files at run time; it is not used here.
    logLevel: 'error',
  });
  return join(outdir, 'index.js');
}

export async function runHostTier(context, report) {
  const started = Date.now();
  const testsEntry = await bundleHostTests(join(context.tmp, 'host-tests'));
  const profile = makeProfile(join(context.tmp, 'host-profile'));
  const devRoot = join(profile.dir, 'dev-extension');
  installVsix(profile, context.vsix, devRoot);
  const [installed] = readdirSync(devRoot).filter((f) => !f.startsWith('.') && f !== 'extensions.json');
  if (!installed) throw new Error(`the VSIX did not unpack into ${devRoot}`);
  const extensionPath = join(devRoot, installed);
  const workspace = context.makeWorkspace('host');
  const resultsFile = join(context.tmp, 'host-results.json');

  const server = await startCodeServer(profile, {
    logFile: join(context.resultsDir, 'code-server-host.log'),
    vscodeOptions: ['enable-smoke-test-driver'],
    env: { MODEL_AUDIT_E2E_HOST_RESULTS: resultsFile, ...(context.grep ? { MODEL_AUDIT_E2E_GREP: context.grep } : {}) },
  });
  const consoleLines = [];
  const browser = await launchBrowser(join(context.tmp, 'chromium', 'host'), { log: (line) => consoleLines.push(line) });
  let exitCode;
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (line) => consoleLines.push(`[automation] ${line}`));
    const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(testsEntry)],
    ];
    await page.goto(
      `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), HOST_TIMEOUT)));
    exitCode = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    try {
      await page.screenshot({ path: join(context.resultsDir, 'host-final.png') });
    } catch {}
  } finally {
    writeFileSync(join(context.resultsDir, 'host-console.log'), consoleLines.join('\n') + '\n');
    await browser.close();
    await server.stop();
    keepLogs(profile, join(context.resultsDir, 'logs-host'));
  }

  const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : [];
  for (const result of results) report({ tier: 'host', ...result });
  const failedInResults = results.some((r) => !r.ok);
  if (results.length === 0 || exitCode === 'timeout' || (exitCode !== 0) !== failedInResults) {
    report({
      tier: 'host',
      name: 'extension-host test run',
      ok: false,
      ms: Date.now() - started,
      error:
        exitCode === 'timeout'
          ? `no codeAutomationExit within ${HOST_TIMEOUT / 60_000} min; see host-console.log`
          : `exit code ${exitCode} with ${results.length} result(s); see host-console.log and logs-host/`,
    });
  }
}

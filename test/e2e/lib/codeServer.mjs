// A throwaway code-server (a full VS Code served to the browser) on 127.0.0.1: its own XDG, user-data and
// extensions folders under one temp directory, the user settings from shared/E2E.md, offline VSIX install, and a
// stop() that ends exactly the process group it started.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { codeServerBin, codeServerEnv } from './tools.mjs';
import { GiveUp, waitFor } from './wait.mjs';

export const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': 'off',
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'update.mode': 'none',
  'git.enabled': false,
};

/** Creates the folders of one code-server profile under `dir` and writes its user settings. */
export function makeProfile(dir) {
  const profile = {
    dir,
    userDataDir: join(dir, 'user-data'),
    extensionsDir: join(dir, 'extensions'),
    xdg: join(dir, 'xdg'),
  };
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  mkdirSync(profile.extensionsDir, { recursive: true });
  for (const sub of ['config', 'data', 'cache', 'state']) mkdirSync(join(profile.xdg, sub), { recursive: true });
  writeFileSync(join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  return profile;
}

function profileEnv(profile, extra = {}) {
  return codeServerEnv({
    XDG_CONFIG_HOME: join(profile.xdg, 'config'),
    XDG_DATA_HOME: join(profile.xdg, 'data'),
    XDG_CACHE_HOME: join(profile.xdg, 'cache'),
    XDG_STATE_HOME: join(profile.xdg, 'state'),
    ...extra,
  });
}

/** Installs a packed extension offline into `extensionsDir` (a folder cannot be installed, only a VSIX). */
export function installVsix(profile, vsix, extensionsDir = profile.extensionsDir) {
  const result = spawnSync(
    codeServerBin,
    ['--user-data-dir', profile.userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { env: profileEnv(profile), encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${output}`);
  }
  return output.trim();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server for `profile` on a free port of 127.0.0.1 and resolves once /healthz answers.
 * `vscodeOptions` are passed as `--vscode-option` flags (e.g. enable-smoke-test-driver); `env` is added to the
 * environment of the server and so of its extension hosts.
 */
export async function startCodeServer(profile, { workspace, logFile, vscodeOptions = [], env = {}, trust = true }) {
  const port = await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? ['--disable-workspace-trust'] : []),
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    ...vscodeOptions.flatMap((option) => ['--vscode-option', option]),
    ...(workspace ? [workspace] : []),
  ];
  const log = createWriteStream(logFile);
  const child = spawn(codeServerBin, args, { env: profileEnv(profile, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited) throw new GiveUp(`code-server exited early (${JSON.stringify(exited)}); see ${logFile}`);
      try {
        return (await fetch(`${baseUrl}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    { timeout: 60_000, what: `code-server /healthz on port ${port}` },
  );

  return {
    baseUrl,
    port,
    logFile,
    async stop() {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM'); // the process group this function started
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

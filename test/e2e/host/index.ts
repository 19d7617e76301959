// The tests entry that VS Code's extension host loads for `extensionTestsPath` (tier two of `npm run test:e2e`):
// runs every *.host.js file bundled beside it with Mocha, inside the real extension host, where the `vscode` API is
// the real one. Results go three ways: the promise (the workbench then calls codeAutomationExit with 0 or 1), a
// JSON file named by MODEL_AUDIT_E2E_HOST_RESULTS for the runner to report test by test, and console lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface HostResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, reporter: 'spec' });
  const grep = process.env.MODEL_AUDIT_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.host.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }

  const results: HostResult[] = [];
  const resultsFile = process.env.MODEL_AUDIT_E2E_HOST_RESULTS;
  const save = () => {
    if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  };

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      save();
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => {
      results.push({ name: test.fullTitle(), ok: true, ms: test.duration ?? 0 });
    });
    runner.on('fail', (test, error: Error) => {
      results.push({ name: test.fullTitle(), ok: false, ms: test.duration ?? 0, error: error?.stack ?? String(error) });
    });
  });
}

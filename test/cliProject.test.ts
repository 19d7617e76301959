// The CLI in a project: its configuration file (.model-audit.json or [tool.model-audit] in pyproject.toml), SARIF
// output for code scanning, and models whose blocks live in other files of the project.

import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../server/src/cli/main';

const ROOT = join(__dirname, '..');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('model-audit CLI in a project', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'model-audit-project-'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(ROOT, 'samples', 'mlp_missing_relu.py'), join(dir, 'src', 'mlp.py'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .model-audit.json from the project root: a rule turned off stays silent', async () => {
    assert.equal((await run(['check', 'src'], dir)).code, 1);
    writeFileSync(join(dir, '.model-audit.json'), JSON.stringify({ rules: { 'linear-collapse': 'off' } }));
    const { code, out } = await run(['check', 'src'], dir);
    assert.equal(code, 0);
    assert.doesNotMatch(out, /MA001/);
  });

  it('reads [tool.model-audit] from pyproject.toml: a severity raised to error fails --fail-on error', async () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "demo"\n\n[tool.model-audit.rules]\nMA001 = "error"\n');
    const { code, out } = await run(['check', 'src', '--fail-on', 'error'], dir);
    assert.equal(code, 1);
    assert.match(out, /src\/mlp\.py:22:13: error MA001/);
  });

  it('reports a broken configuration on stderr without failing the run', async () => {
    writeFileSync(join(dir, '.model-audit.json'), '{ "rules": { "MA001": "loud" } }');
    const { code, err } = await run(['check', 'src'], dir);
    assert.equal(code, 1, 'the findings still decide the exit code');
    assert.match(err, /^model-audit: \.model-audit\.json.*loud/m);
  });

  it('writes SARIF 2.1.0 with the rule metadata for code scanning', async () => {
    const { code, out } = await run(['check', 'src', '--format', 'sarif'], dir);
    assert.equal(code, 1);
    const log = JSON.parse(out);
    assert.equal(log.version, '2.1.0');
    const [runLog] = log.runs;
    assert.equal(runLog.tool.driver.name, 'model-audit');
    const rule = runLog.tool.driver.rules.find((r: { id: string }) => r.id === 'MA001');
    assert.equal(rule.name, 'linear-collapse');
    const [result] = runLog.results;
    assert.equal(result.ruleId, 'MA001');
    assert.equal(result.level, 'warning');
    assert.equal(result.locations[0].physicalLocation.region.startLine, 22);
  });

  it('follows a model into the blocks it imports from other files of the project', async () => {
    const { out } = await run(['check', 'models/net.py'], join(ROOT, 'test', 'fixtures', 'workspace'));
    assert.match(out, /TinyResNet \(pytorch, line 9\)\n {4}y = .*Block²/);
    assert.match(out, /models\/net\.py:31:25: warning MA001 inp\.proj and out\.proj compose into one linear map 64→16/);
    assert.match(readFileSync(join(ROOT, 'test', 'fixtures', 'workspace', 'models', 'net.py'), 'utf8'), /from \.blocks import ResBlock/);
  });
});

// The project configuration parser and suppression comments: what a user writes in .model-audit.json,
// pyproject.toml or a `# model-audit: ignore[...]` comment changes what is reported.

import * as assert from 'node:assert/strict';
import { type ParserSet, analyzeSource } from '../../server/src/core/analyze';
import { mergeRuleSettings, parseJsonConfig, parseProjectConfig, parsePyprojectConfig } from '../../server/src/core/config';
import { loadParsers } from '../../server/src/parsing/loadParsers';

const MISSING_RELU = `import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.unused = nn.ReLU()

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return self.fc3(x)
`;

describe('project configuration', () => {
  it('reads rules by code and name from .model-audit.json', () => {
    const config = parseJsonConfig('{ "rules": { "MA001": "error", "unused-layer": "off", "MT001": "info" }, "ignore": ["MA010"], "maxFileSize": 2000000 }');
    assert.deepEqual(config.problems, []);
    assert.deepEqual(config.options, { rules: { MA010: 'off', MA001: 'error', MA002: 'off', MT001: 'information' }, maxFileSize: 2000000 });
  });

  it('reads [tool.model-audit] from pyproject.toml and ignores other tools', () => {
    const text = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n\n[tool.model-audit]\nignore = ["layer-reused"]\nmax-file-size = 5000\n\n[tool.model-audit.rules]\nMA001 = "hint"\nMT002 = false\n';
    const config = parsePyprojectConfig(text);
    assert.equal(config.found, true);
    assert.deepEqual(config.problems, []);
    assert.deepEqual(config.options, { rules: { MA010: 'off', MA001: 'hint', MT002: 'off' }, maxFileSize: 5000 });
    const other = parseProjectConfig('/repo/pyproject.toml', '[tool.black]\nline-length = 88\n');
    assert.equal(other.found, false);
    assert.deepEqual(other.options, {});
  });

  it('reports unknown rules, bad severities and broken files instead of throwing', () => {
    const config = parseJsonConfig('{ "rules": { "MA999": "error", "MA001": "loud" }, "colour": true }');
    assert.deepEqual(config.options, {});
    assert.equal(config.problems.length, 3);
    assert.match(config.problems.map((p) => p.message).join('\n'), /unknown rule `MA999`[\s\S]*`MA001` must be one of[\s\S]*unknown setting `colour`/);
    assert.match(parseJsonConfig('{ "rules": ').problems[0].message, /not valid JSON/);
    // Codes outside the rules are taken by code or name from the table of codes, and only those.
    const table = parseJsonConfig('{ "rules": { "spec-op-missing": "error", "MA000": "off", "MS999": "error" } }');
    assert.deepEqual(table.options, { rules: { MS001: 'error', MA000: 'off' } });
    assert.deepEqual(table.problems.map((p) => p.message), ['.model-audit.json: unknown rule `MS999`.']);
    const toml = parsePyprojectConfig('[tool.model-audit\nrules = 1');
    assert.equal(toml.problems.length, 1);
    assert.match(toml.problems[0].message, /does not parse/);
  });

  it('merges layers with later ones winning, keyed by code', () => {
    assert.deepEqual(mergeRuleSettings({ MA001: 'error', 'unused-layer': 'off' }, undefined, { 'linear-collapse': 'hint' }), { MA001: 'hint', MA002: 'off' });
  });

  describe('applied to an analysis', () => {
    let parsers: ParserSet;
    before(async () => {
      parsers = await loadParsers();
    });
    const run = (text: string, rules?: Record<string, 'error' | 'warning' | 'information' | 'hint' | 'off'>) =>
      analyzeSource({ file: { path: 'm.py', language: 'python', text }, parsers, options: { rules } }).findings.filter((f) => f.code !== 'MA000');

    it('changes severities and turns rules off', () => {
      assert.deepEqual(run(MISSING_RELU).map((f) => `${f.code} ${f.severity}`).sort(), ['MA001 warning', 'MA002 warning']);
      const { options } = parseJsonConfig('{ "rules": { "linear-collapse": "error", "MA002": "off" } }');
      assert.deepEqual(run(MISSING_RELU, options.rules as never).map((f) => `${f.code} ${f.severity}`), ['MA001 error']);
    });

    it('honours suppression comments on a line, on the model line and for the file', () => {
      const onLine = MISSING_RELU.replace('x = self.fc2(x)', 'x = self.fc2(x)  # model-audit: ignore[MA001]');
      assert.deepEqual(run(onLine).map((f) => f.code), ['MA002']);
      const byName = MISSING_RELU.replace('x = self.fc2(x)', 'x = self.fc2(x)  # model-audit: ignore[linear-collapse]');
      assert.deepEqual(run(byName).map((f) => f.code), ['MA002']);
      const otherCode = MISSING_RELU.replace('x = self.fc2(x)', 'x = self.fc2(x)  # model-audit: ignore[MA004]');
      assert.deepEqual(run(otherCode).map((f) => f.code).sort(), ['MA001', 'MA002']);
      const onModel = MISSING_RELU.replace('class MLP(nn.Module):', 'class MLP(nn.Module):  # model-audit: ignore[MA001, MA002]');
      assert.deepEqual(run(onModel), []);
      const all = MISSING_RELU.replace('class MLP(nn.Module):', 'class MLP(nn.Module):  # model-audit: ignore');
      assert.deepEqual(run(all), []);
      const file = `# model-audit: ignore-file[MA002]\n${MISSING_RELU}`;
      assert.deepEqual(run(file).map((f) => f.code), ['MA001']);
      const wrongLine = MISSING_RELU.replace('return self.fc3(x)', 'return self.fc3(x)  # model-audit: ignore[MA001]');
      assert.deepEqual(run(wrongLine).map((f) => f.code).sort(), ['MA001', 'MA002']);
    });

    it('honours // comments in JavaScript', () => {
      const js = "const tf = require('@tensorflow/tfjs');\nasync function go(model, xs, ys) {\n  await model.fit(xs, ys, { shuffle: false });\n}\n";
      const codes = (text: string) => analyzeSource({ file: { path: 'train.js', language: 'javascript', text }, parsers }).findings.map((f) => f.code);
      assert.deepEqual(codes(js), ['MT001']);
      assert.deepEqual(codes(js.replace('{ shuffle: false });', '{ shuffle: false }); // model-audit: ignore[unshuffled-training-data]')), []);
    });
  });
});

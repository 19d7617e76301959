// The TextMate grammar (grammars/model-spec.tmLanguage.json) and the language configuration that package.json
// declares for `.mspec` files: the grammar's own tests run with vscode-tmgrammar-test, a failing assertion fails
// this test, and the configuration has the comment, brackets and folding markers the editor needs.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const GRAMMAR = join(ROOT, 'grammars', 'model-spec.tmLanguage.json');
const BIN = join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');

function runGrammarTests(files: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [BIN, '-g', GRAMMAR, files], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('model-spec grammar and language configuration', () => {
  it('package.json declares the grammar and configuration for the model-spec language', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const language = manifest.contributes.languages.find((l: { id: string }) => l.id === 'model-spec');
    assert.deepEqual(language.extensions, ['.mspec']);
    const grammar = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'model-spec');
    assert.equal(grammar.scopeName, JSON.parse(readFileSync(GRAMMAR, 'utf8')).scopeName);
  });

  it('passes its vscode-tmgrammar-test assertions', () => {
    const { status, output } = runGrammarTests('test/grammar/*.mspec-test');
    assert.equal(status, 0, output);
    assert.match(output, /run successfuly/);
  });

  it('a wrong scope assertion fails (the grammar tests can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mspec-grammar-'));
    try {
      writeFileSync(join(dir, 'wrong.mspec-test'), '# SYNTAX TEST "source.mspec"\nmodel M in "m.py"\n# <----- string.quoted.double.mspec\n');
      const { status, output } = runGrammarTests(join(dir, 'wrong.mspec-test'));
      assert.notEqual(status, 0, output);
      assert.match(output, /missing required scopes: string\.quoted\.double\.mspec/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the configuration: # comments, () and [] brackets, region folding markers', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'grammars', 'language-configuration.json'), 'utf8'));
    assert.equal(config.comments.lineComment, '#');
    assert.deepEqual(config.brackets, [['(', ')'], ['[', ']']]);
    assert.ok(new RegExp(config.folding.markers.start).test('# region encoder'));
    assert.ok(new RegExp(config.folding.markers.end).test('# endregion'));
  });
});

// While a line is half typed, the training-loop findings (MT001–MT004) of the last text that parsed are kept, marked
// stale, where the code they point at is still in place; once the text parses again, fresh findings replace them.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnalysisOptions, analyzeSource, type FileAnalysis, type ParserSet } from '../../server/src/core/analyze';
import type { Finding } from '../../server/src/core/findings';
import type { Language } from '../../server/src/core/graph';
import { parsers } from '../helpers/parsers';

const RULES = join(__dirname, '..', 'fixtures', 'rules');
const LANGUAGES: Readonly<Record<string, Language>> = { py: 'python', js: 'javascript', ts: 'typescript' };

/** Every positive MT fixture: each has at least one MT finding when it parses. */
const POSITIVES = ['MT001', 'MT002', 'MT003', 'MT004'].flatMap((code) =>
  readdirSync(join(RULES, code))
    .filter((f) => f.startsWith('pos_'))
    .map((f) => ({ code, path: join(RULES, code, f), language: LANGUAGES[f.split('.').pop() ?? ''] ?? 'python' })),
);

const isTrainingFinding = (f: Finding) => /^MT\d{3}$/.test(f.code);
const where = (f: Finding) => `${f.code}@${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;

describe('training-loop findings while a line is half typed', () => {
  let set: ParserSet;
  before(async () => {
    set = await parsers();
  });

  function analyze(path: string, language: Language, text: string, previous?: FileAnalysis, options?: AnalysisOptions): FileAnalysis {
    return analyzeSource({ file: { path, language, text }, parsers: set, previous, options });
  }

  for (const { code, path, language } of POSITIVES) {
    const name = path.slice(RULES.length + 1);
    it(`${name}: kept and marked stale while a line below is half typed, fresh again once it parses`, () => {
      const text = readFileSync(path, 'utf8');
      const parsed = analyze(path, language, text);
      const before = parsed.findings.filter(isTrainingFinding);
      assert.ok(before.some((f) => f.code === code), `the fixture has a ${code} finding`);
      assert.ok(before.every((f) => !f.stale));

      // A half-typed call on a new last line: nothing above it moves.
      const halfTyped = `${text.replace(/\n*$/, '')}\n${language === 'python' ? 'print(' : 'console.log('}`;
      const broken = analyze(path, language, halfTyped, parsed);
      const kept = broken.findings.filter(isTrainingFinding);
      assert.deepEqual(kept.map(where), before.map(where), 'the same findings, at the same places');
      for (const f of kept) {
        assert.equal(f.stale, true, `${where(f)} is marked stale`);
        assert.equal(f.fixes, undefined, `${where(f)} offers no quick fix computed for another text`);
        assert.equal(f.message, before.find((b) => where(b) === where(f))?.message);
      }

      // Still half typed one keystroke later: the kept findings are kept again.
      const stillBroken = analyze(path, language, `${halfTyped}x`, broken);
      assert.deepEqual(stillBroken.findings.filter(isTrainingFinding).map(where), before.map(where));

      // The call is closed: the text parses, and the findings are fresh ones (with their fixes) again.
      const closed = analyze(path, language, `${halfTyped}x)\n`, stillBroken);
      const fresh = closed.findings.filter(isTrainingFinding);
      assert.deepEqual(fresh.map(where), before.map(where));
      assert.ok(fresh.every((f) => !f.stale), 'no finding is marked stale once the text parses');
      assert.deepEqual(fresh, analyze(path, language, `${halfTyped}x)\n`).findings.filter(isTrainingFinding), 'equal to analysing the text afresh');
    });
  }

  const MT002 = join(RULES, 'MT002', 'pos_no_zero_grad.py');

  it('a finding goes once the text parses and the bug is fixed', () => {
    const text = readFileSync(MT002, 'utf8');
    // As typed: a new line (which parses), then the call on it, half typed, then closed.
    const newLine = analyze(MT002, 'python', text.replace('loss.backward()', 'loss.backward()\n        '), analyze(MT002, 'python', text));
    const broken = analyze(MT002, 'python', text.replace('loss.backward()', 'loss.backward()\n        optimizer.zero_grad('), newLine);
    assert.deepEqual(broken.findings.filter(isTrainingFinding).map((f) => [f.code, f.stale]), [['MT002', true]]);
    const fixed = analyze(MT002, 'python', text.replace('loss.backward()', 'loss.backward()\n        optimizer.zero_grad()'), broken);
    assert.deepEqual(fixed.findings.filter(isTrainingFinding), []);
  });

  it('a finding whose code is being edited, or that lines typed above it moved, is dropped until the text parses', () => {
    const text = readFileSync(MT002, 'utf8');
    const parsed = analyze(MT002, 'python', text);
    assert.deepEqual(parsed.findings.filter(isTrainingFinding).map((f) => f.code), ['MT002']);
    const editedInPlace = analyze(MT002, 'python', text.replace('optimizer.step()', 'optimizer.step(lr='), parsed);
    assert.deepEqual(editedInPlace.findings.filter(isTrainingFinding), [], 'its own call is half typed');
    const movedDown = analyze(MT002, 'python', text.replace('import torch\n', 'import torch\nimport (\n'), parsed);
    assert.deepEqual(movedDown.findings.filter(isTrainingFinding), [], 'a half-typed line above moved it one line down');
  });

  it('follows the current options: a rule turned off is not kept, a severity override applies', () => {
    const text = readFileSync(MT002, 'utf8');
    const parsed = analyze(MT002, 'python', text);
    const halfTyped = `${text}print(`;
    assert.deepEqual(analyze(MT002, 'python', halfTyped, parsed, { rules: { 'missing-zero-grad': 'off' } }).findings.filter(isTrainingFinding), []);
    const error = analyze(MT002, 'python', halfTyped, parsed, { rules: { MT002: 'error' } }).findings.filter(isTrainingFinding);
    assert.deepEqual(error.map((f) => [f.code, f.severity, f.stale]), [['MT002', 'error', true]]);
  });

  it('a file that has never parsed has no training-loop finding to keep', () => {
    const text = `${readFileSync(MT002, 'utf8')}print(`;
    assert.deepEqual(analyze(MT002, 'python', text).findings.filter(isTrainingFinding), []);
  });
});

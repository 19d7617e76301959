// The rule catalog's fixture test: every file in test/fixtures/rules/<CODE>/ is analysed and its findings are
// compared exactly with the `# expect: CODE` comments on the lines where they must appear (`# expect: MA001:information`
// names a severity other than the rule's default). A fixture with no expectation must produce no finding of its
// folder's code. Every quick fix offered on a fixture is applied and must remove its finding without breaking the parse.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnalysisOptions, type ParserSet, analyzeSource } from '../../server/src/core/analyze';
import type { Finding } from '../../server/src/core/findings';
import type { Language, TextEdit } from '../../server/src/core/graph';
import { RULES_BY_CODE } from '../../server/src/core/rules/registry';
import { loadParsers } from '../../server/src/parsing/loadParsers';

const ROOT = join(__dirname, '..', 'fixtures', 'rules');
const EXPECT = /(?:#|\/\/)\s*expect:\s*([A-Z]{2}\d{3}(?::[a-z]+)?(?:\s*,\s*[A-Z]{2}\d{3}(?::[a-z]+)?)*)/;

interface Expectation {
  readonly line: number;
  readonly code: string;
  readonly severity: string;
}

function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (!m) return;
    for (const item of m[1].split(',').map((s) => s.trim())) {
      const [code, severity] = item.split(':');
      out.push({ line: i + 1, code, severity: severity ?? RULES_BY_CODE.get(code)?.defaultSeverity ?? 'warning' });
    }
  });
  return out;
}

function show(items: readonly { line: number; code: string; severity: string }[]): string[] {
  return items.map((e) => `${e.line}: ${e.code} ${e.severity}`).sort();
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const LANGUAGES: Readonly<Record<string, Language>> = { py: 'python', js: 'javascript', ts: 'typescript' };
const isFixture = (f: string) => /\.(py|js|ts)$/.test(f);

function analyze(parsers: ParserSet, path: string, text: string, options?: AnalysisOptions): readonly Finding[] {
  const language = LANGUAGES[path.split('.').pop() ?? ''] ?? 'python';
  return analyzeSource({ file: { path, language, text }, parsers, options }).findings;
}

describe('rule fixtures', function () {
  let parsers: ParserSet;
  before(async () => {
    parsers = await loadParsers();
  });

  const codes = readdirSync(ROOT).filter((d) => /^M[AT]\d{3}$/.test(d)).sort();

  it('covers every MA and MT rule with three positive and three negative fixtures', () => {
    for (const code of [...RULES_BY_CODE.keys()]) {
      const dir = join(ROOT, code);
      const files = codes.includes(code) ? readdirSync(dir).filter(isFixture) : [];
      const positive = files.filter((f) => expectations(readFileSync(join(dir, f), 'utf8')).some((e) => e.code === code));
      assert.ok(positive.length >= 3, `${code} has ${positive.length} positive fixtures`);
      assert.ok(files.length - positive.length >= 3, `${code} has ${files.length - positive.length} negative fixtures`);
    }
  });

  describe('clean training scripts (no warnings or errors of any code)', () => {
    const dir = join(ROOT, 'clean');
    for (const file of readdirSync(dir).filter(isFixture).sort()) {
      it(file, () => {
        const findings = analyze(parsers, join(dir, file), readFileSync(join(dir, file), 'utf8'));
        const loud = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
        assert.deepEqual(loud.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`), []);
      });
    }
  });

  for (const code of codes) {
    describe(code, () => {
      for (const file of readdirSync(join(ROOT, code)).filter(isFixture).sort()) {
        const path = join(ROOT, code, file);
        it(file, () => {
          const text = readFileSync(path, 'utf8');
          const expected = expectations(text);
          const checked = new Set([code, ...expected.map((e) => e.code)]);
          const findings = analyze(parsers, path, text).filter((f) => checked.has(f.code));
          const actual = findings.map((f) => ({ line: f.range.start.line + 1, code: f.code, severity: f.severity }));
          assert.deepEqual(show(actual), show(expected), findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`).join('\n'));
          for (const f of findings) {
            assert.ok(f.message.length > 20, 'a finding explains itself');
            for (const fix of f.fixes ?? []) {
              const fixed = applyEdits(text, fix.edits);
              const parser = path.endsWith('.py') ? parsers.python! : path.endsWith('.ts') ? parsers.typescript! : parsers.javascript!;
              const tree = parser.parse(fixed)!;
              assert.ok(!tree.rootNode.hasError, `the fix "${fix.title}" leaves valid code:\n${fixed}`);
              tree.delete();
              const before = findings.filter((g) => g.code === f.code).length;
              const after = analyze(parsers, path, fixed).filter((g) => g.code === f.code).length;
              assert.ok(after < before, `the fix "${fix.title}" removes its ${f.code} finding:\n${fixed}`);
            }
          }
        });
      }
    });
  }
});

// Typing in a spec re-checks it against its code on every keystroke. When the code file is not open, its models are
// analysed again only when its text changes; the findings are always those of a fresh analysis.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import type { SpecHost } from '../../server/src/core/spec/analyzeSpec';
import { parsers } from '../helpers/parsers';

const DIR = join(__dirname, '..', 'fixtures', 'spec', 'pytorch');
const SPEC = readFileSync(join(DIR, 'ms001_missing_activation.mspec'), 'utf8');
const CODE = readFileSync(join(DIR, 'ms001_missing_activation.py'), 'utf8');

function hostOver(files: Map<string, string>): SpecHost {
  return { resolve: (_from, relative) => relative, read: (path) => files.get(path) };
}

const codes = (a: FileAnalysis) => a.findings.map((f) => `${f.code}@${f.range.start.line}`);

describe('spec analysis reuses the analysis of unchanged code', () => {
  it('keeps the findings of a fresh analysis while the spec is edited, and follows the code when it changes', async () => {
    const set = await parsers();
    const files = new Map([['ms001_missing_activation.py', CODE]]);
    const host = hostOver(files);
    const analyse = (text: string, previous?: FileAnalysis) => analyzeSource({ file: { path: 'spec.mspec', language: 'model-spec', text }, parsers: set, specHost: host, previous, incremental: true });
    const fresh = (text: string) => analyzeSource({ file: { path: 'spec.mspec', language: 'model-spec', text }, parsers: set, specHost: host });

    const first = analyse(SPEC);
    assert.ok(codes(first).some((c) => c.startsWith('MS001')), 'the missing activation is reported');
    // A keystroke in the spec: same findings as analysing afresh, and the code's models are the ones already read.
    const typed = `${SPEC}# a note\n`;
    const second = analyse(typed, first);
    assert.deepEqual(codes(second), codes(fresh(typed)));
    assert.equal(second.specBindings?.[0].code, first.specBindings?.[0].code, 'the unchanged code file was not analysed again');
    // The code gains its ReLU on disk: the next keystroke in the spec sees it.
    const fixed = CODE.replace(/h = self\.fc2\(h\)/, "h = F.relu(self.fc2(h))");
    assert.notEqual(fixed, CODE, 'the fixture has the line this test edits');
    files.set('ms001_missing_activation.py', fixed);
    const third = analyse(typed, second);
    assert.deepEqual(codes(third), codes(fresh(typed)));
    assert.ok(!codes(third).some((c) => c.startsWith('MS001')), 'the fixed code no longer misses the activation');
  });
});

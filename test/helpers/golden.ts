// Golden files: a missing golden is written (and the test says so) except on CI (CI set), where it fails;
// UPDATE_SNAPSHOTS=1 rewrites them, and a mismatch fails with a line diff. Review golden changes like code.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function expectGolden(path: string, actual: string): void {
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  // On CI a missing golden is a failure: writing it there would pass a test that compared nothing.
  if (!update && !existsSync(path) && process.env.CI) assert.fail(`${path} is missing: run the tests locally to write it, review it and commit it`);
  if (update || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    if (!update) console.log(`      (wrote new golden file ${path})`);
    return;
  }
  const expected = readFileSync(path, 'utf8');
  if (expected !== actual) {
    assert.fail(`${path} differs (run with UPDATE_SNAPSHOTS=1 to accept):\n${lineDiff(expected, actual)}`);
  }
}

function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) out.push(`- ${i + 1}: ${a[i]}`);
    if (b[i] !== undefined) out.push(`+ ${i + 1}: ${b[i]}`);
    if (out.length > 40) break;
  }
  return out.join('\n');
}

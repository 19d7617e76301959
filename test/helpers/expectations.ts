// Inline expectations in fixture files: a comment `# expect: MA001` (or `// expect: MA001, MA004`) on a line says
// that line must carry those findings; the checker compares (line, code) pairs exactly, for the given severities.

import type { Finding } from '../../server/src/core/findings';
import type { Severity } from '../../server/src/core/graph';

export function expectedFindings(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /(?:#|\/\/)\s*expect:\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)/.exec(line);
    if (m) for (const code of m[1].split(',')) out.push(`${i + 1}:${code.trim()}`);
  });
  return out.sort();
}

export function actualFindings(findings: readonly Finding[], severities: readonly Severity[] = ['error', 'warning', 'information']): string[] {
  return [...new Set(findings.filter((f) => severities.includes(f.severity)).map((f) => `${f.range.start.line + 1}:${f.code}`))].sort();
}

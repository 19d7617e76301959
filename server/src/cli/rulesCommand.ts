// `model-audit rules [--format text|json]`: the table of every finding code (core/codes.ts with the probe
// registry's codes), as an aligned text table or JSON for tools. The same table generates docs/rules/ and the SARIF
// rule metadata, so the three cannot disagree.

import { type FindingCode, findingCodes } from '../core/codes';
import { PROBE_CODE_TABLE } from '../probe/registry';

/** Every finding code Model Audit reports: the rules, MA000, the spec codes and the probes'. */
export const ALL_FINDING_CODES: readonly FindingCode[] = findingCodes(PROBE_CODE_TABLE);

/** The table as JSON: one object per code, without the rule implementation. */
export function rulesJson(codes: readonly FindingCode[] = ALL_FINDING_CODES): string {
  const rows = codes.map(({ code, name, kind, defaultSeverity, fixSafety, summary, why, fix }) => ({ code, name, kind, defaultSeverity, fixSafety, summary, why, fix, docs: `docs/rules/${code}-${name}.md` }));
  return `${JSON.stringify({ version: 1, codes: rows }, null, 2)}\n`;
}

/** The table as text: code, name, default severity, fix safety and the summary, columns aligned. */
export function rulesText(codes: readonly FindingCode[] = ALL_FINDING_CODES): string {
  const head = ['code', 'name', 'default', 'fix', 'flags'];
  const rows = codes.map((c) => [c.code, c.name, c.defaultSeverity, c.fixSafety, c.summary]);
  const widths = head.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

// Turns failed probe results into findings (MP001…MP005) on the model they ran on, so the language server can
// publish them as diagnostics and the CLI can print them like any other finding.

import type { Finding } from '../core/findings';
import { type ModelGraph, Range } from '../core/graph';
import { PROBE_CODES, type ProbeRun } from './types';

export function probeFindings(run: ProbeRun, graph: ModelGraph): Finding[] {
  return run.results.filter((r) => r.verdict === 'fail').map((r) => {
    const lines = r.lines ?? [];
    const at = (line: number): Range => {
      const node = graph.nodes.find((n) => n.range.start.line + 1 === line) ?? graph.layers.find((l) => l.range.start.line + 1 === line);
      return node ? node.range : Range.create(line - 1, 0, line - 1, 0);
    };
    const range = lines.length > 0 ? at(lines[0]!) : graph.nameRange;
    return {
      code: PROBE_CODES[r.probe],
      severity: 'warning',
      message: `Probe ${r.probe} failed (${run.backend}, ${r.seconds.toFixed(1)} s): ${r.summary}`,
      range,
      related: lines.slice(1).map((line) => ({ range: at(line), message: `part of the ${r.probe} failure` })),
      model: graph.name,
    } satisfies Finding;
  });
}

// `model-audit diff`: a spec model and its code side by side, both equations and the aligned operations, with each
// difference marked, as plain text for a terminal or Markdown ready to paste into a pull request.

import type { GraphNode, ModelGraph } from '../graph';
import { Shapes } from '../shapes';
import { alignSpecToGraph, type SpecDifference } from './alignSpecToGraph';
import { baseName } from './analyzeSpec';
import { describeCodeOp, describeSpecOp, specDiffFindings } from './specFindings';

export interface DiffReportInput {
  readonly specPath: string;
  readonly specText: string;
  readonly codePath: string;
  readonly spec: ModelGraph;
  readonly code: ModelGraph;
  /** The closed forms in Unicode. */
  readonly specEquation: string;
  readonly codeEquation: string;
}

export interface DiffReport {
  readonly text: string;
  readonly differences: number;
}

interface Row {
  readonly mark: string;
  readonly spec: string;
  readonly specLine: string;
  readonly code: string;
  readonly codeLine: string;
  readonly codes: string;
}

export function specDiffReport(input: DiffReportInput, format: 'text' | 'markdown'): DiffReport {
  const alignment = alignSpecToGraph(input.spec, input.code);
  const findings = specDiffFindings(alignment.differences, { specPath: input.specPath, specText: input.specText, spec: input.spec, codePath: input.codePath, code: input.code, codeName: baseName(input.codePath), specName: baseName(input.specPath) }).spec;
  const byNode = (d: SpecDifference, row: { spec?: GraphNode; code?: GraphNode }) => (row.spec !== undefined && d.spec === row.spec) || (row.code !== undefined && d.codeNode === row.code);
  const rows: Row[] = alignment.rows.map((row) => {
    const codes = [...new Set(alignment.differences.filter((d) => byNode(d, row)).map((d) => d.code))].join(', ');
    return {
      mark: codes ? '!' : '',
      spec: row.spec ? opText(row.spec, describeSpecOp(row.spec)) : '—',
      specLine: row.spec ? String(row.spec.range.start.line + 1) : '',
      code: row.code ? opText(row.code, describeCodeOp(row.code)) : '—',
      codeLine: row.code ? String((row.code.site?.range ?? row.code.range).start.line + 1) : '',
      codes,
    };
  });
  const specName = baseName(input.specPath);
  const codeName = baseName(input.codePath);
  const messages = findings.map((f) => `${f.code} ${f.message}`);
  const text = format === 'markdown' ? markdown(input, rows, messages, specName, codeName) : plain(input, rows, messages);
  return { text, differences: findings.length };
}

function opText(node: GraphNode, description: string): string {
  if (node.category === 'input') return `${description}${node.shape ? ` [${Shapes.format(node.shape)}]` : ''}`;
  return description;
}

function plain(input: DiffReportInput, rows: readonly Row[], messages: readonly string[]): string {
  const specCol = Math.max(4, ...rows.map((r) => r.spec.length + (r.specLine ? r.specLine.length + 3 : 0)));
  const cell = (text: string, line: string) => (line ? `${text} :${line}` : text);
  const lines = [
    `${input.spec.name}: spec ${input.specPath} ↔ code ${input.codePath}`,
    `  spec: ${input.specEquation}`,
    `  code: ${input.codeEquation}`,
    '',
    `    ${'spec'.padEnd(specCol)}  code`,
    ...rows.map((r) => `  ${r.mark || ' '} ${cell(r.spec, r.specLine).padEnd(specCol)}  ${cell(r.code, r.codeLine)}${r.codes ? `   ${r.codes}` : ''}`),
    '',
    ...(messages.length ? messages.map((m) => `  ${m}`) : ['  no differences: the code matches the spec']),
  ];
  return `${lines.join('\n')}\n`;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function markdown(input: DiffReportInput, rows: readonly Row[], messages: readonly string[], specName: string, codeName: string): string {
  const lines = [
    `### ${input.spec.name}: \`${specName}\` ↔ \`${codeName}\``,
    '',
    '| | spec | code |',
    '| --- | --- | --- |',
    `| equation | \`${md(input.specEquation)}\` | \`${md(input.codeEquation)}\` |`,
    '',
    `| | spec (\`${specName}\`) | line | code (\`${codeName}\`) | line | difference |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.mark ? '⚠️' : ''} | ${r.mark ? `**${md(r.spec)}**` : md(r.spec)} | ${r.specLine} | ${r.mark ? `**${md(r.code)}**` : md(r.code)} | ${r.codeLine} | ${r.codes} |`),
    '',
    ...(messages.length ? messages.map((m) => `- ${md(m)}`) : ['No differences: the code matches the spec.']),
  ];
  return `${lines.join('\n')}\n`;
}

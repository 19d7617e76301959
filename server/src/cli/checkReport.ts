// Formats `check` results: the contract's JSON (version 1) and the compiler-style text report.

import type { FileAnalysis, ModelAnalysis } from '../core/analyze';
import type { Finding } from '../core/findings';
import type { GraphNode, Range } from '../core/graph';
import { NotebookProgram } from '../core/notebook';
import { alternativeLabel } from '../core/render/alternatives';

export interface CheckedFile {
  /** The path as given or relative to the working directory. */
  readonly path: string;
  readonly analysis: FileAnalysis;
  /** For a Jupyter notebook: its program, whose ranges the reports give as cell and line within the cell. */
  readonly notebook?: NotebookProgram;
}

/** Where a range is shown: in a notebook, the cell (0-based among all cells) and the range within that cell. */
export interface Located {
  readonly range: Range;
  readonly cell?: number;
}

/** Maps a file's analysis ranges to what its reports show: cell ranges for a notebook, the ranges themselves else. */
export function locator(notebook: NotebookProgram | undefined): (range: Range) => Located {
  if (!notebook) return (range) => ({ range });
  return (range) => {
    const found = NotebookProgram.toCellRange(notebook, range);
    return found ? { range: found.at, cell: found.cell } : { range };
  };
}

/** `line:col` 1-based, after `cell N:` (1-based, counting every cell) in a notebook: `nb.ipynb:cell 3:5:9`. */
export function positionText(where: Located): string {
  const pos = `${where.range.start.line + 1}:${where.range.start.character + 1}`;
  return where.cell === undefined ? pos : `cell ${where.cell + 1}:${pos}`;
}

export interface Summary {
  readonly files: number;
  readonly models: number;
  readonly errors: number;
  readonly warnings: number;
}

export function summarize(files: readonly CheckedFile[]): Summary {
  const all = files.flatMap((f) => f.analysis.findings);
  return {
    files: files.length,
    models: files.reduce((n, f) => n + f.analysis.models.length, 0),
    errors: all.filter((d) => d.severity === 'error').length,
    warnings: all.filter((d) => d.severity === 'warning').length,
  };
}

function opJson(node: GraphNode, locate: (range: Range) => Located): Record<string, unknown> {
  const out: Record<string, unknown> = { op: node.op, category: node.category };
  if (node.attrs.in !== undefined) out.in = node.attrs.in;
  if (node.attrs.out !== undefined) out.out = node.attrs.out;
  if (node.module !== undefined) out.module = node.module;
  if (node.shape !== undefined) out.shape = node.shape;
  if (node.op === 'opaque') {
    out.label = node.label ?? '';
    out.reason = node.reason ?? '';
  }
  Object.assign(out, locate(node.range));
  return out;
}

function modelJson(model: ModelAnalysis, locate: (range: Range) => Located): Record<string, unknown> {
  const { graph, equation } = model;
  return {
    name: graph.name,
    framework: graph.framework,
    ...locate(graph.range),
    equation: { text: equation.text, latex: equation.latex, steps: equation.steps, ...(equation.collapsed ? { collapsed: equation.collapsed } : {}) },
    ops: graph.nodes.filter((n) => n.category !== 'input').map((n) => opJson(n, locate)),
    // Beyond the contract (additive): the model in its other configurations, where the code branches on one.
    ...(equation.alternatives && equation.alternatives.length > 0
      ? { alternatives: equation.alternatives.map((a) => ({ condition: a.condition, assumed: a.assumed, when: a.when, known: a.known, ...locate(a.range), equation: { text: a.text, latex: a.latex } })) }
      : {}),
  };
}

function diagnosticJson(finding: Finding, path: string, locate: (range: Range) => Located): Record<string, unknown> {
  return {
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    ...locate(finding.range),
    related: (finding.related ?? []).map((r) => ({ path: r.path ?? path, ...(r.path === undefined || r.path === path ? locate(r.range) : { range: r.range }), message: r.message })),
  };
}

export function checkJson(files: readonly CheckedFile[]): string {
  const report = {
    version: 1,
    files: files.map((f) => {
      const locate = locator(f.notebook);
      return {
        path: f.path,
        language: f.analysis.language,
        // Beyond the contract: a notebook says so, and its ranges are within the cell named by each `cell` field.
        ...(f.notebook ? { notebook: true } : {}),
        models: f.analysis.models.map((m) => modelJson(m, locate)),
        diagnostics: f.analysis.findings.map((d) => diagnosticJson(d, f.path, locate)),
      };
    }),
    summary: summarize(files),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per finding as compilers print them, grouped by file under each model's equation. */
export function checkText(files: readonly CheckedFile[], options: { showHints: boolean }): string {
  const lines: string[] = [];
  for (const f of files) {
    const shown = f.analysis.findings.filter((d) => options.showHints || d.severity !== 'hint');
    if (f.analysis.models.length === 0 && shown.length === 0) continue;
    lines.push(f.path);
    const locate = locator(f.notebook);
    for (const model of f.analysis.models) {
      const at = locate(model.graph.nameRange);
      lines.push(`  ${model.graph.name} (${model.graph.framework}, ${at.cell === undefined ? '' : `cell ${at.cell + 1} `}line ${at.range.start.line + 1})`);
      lines.push(`    ${model.equation.text}`);
      if (model.equation.collapsed) lines.push(`    collapses to: ${model.equation.collapsed}`);
      for (const alt of model.equation.alternatives ?? []) lines.push(`    ${alternativeLabel(alt)}: ${alt.text}`);
    }
    for (const d of shown) {
      lines.push(`${f.path}:${positionText(locate(d.range))}: ${d.severity} ${d.code} ${d.message}`);
    }
    lines.push('');
  }
  const s = summarize(files);
  const hints = files.reduce((n, f) => n + f.analysis.findings.filter((d) => d.severity === 'hint').length, 0);
  const infos = files.reduce((n, f) => n + f.analysis.findings.filter((d) => d.severity === 'information').length, 0);
  const extra = [infos > 0 ? plural(infos, 'note') : '', hints > 0 && !options.showHints ? `${plural(hints, 'hint')} hidden (--show-hints)` : ''].filter(Boolean);
  lines.push(`${plural(s.files, 'file')}, ${plural(s.models, 'model')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${extra.length ? `, ${extra.join(', ')}` : ''}`);
  return `${lines.join('\n')}\n`;
}

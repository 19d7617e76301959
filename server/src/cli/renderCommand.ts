// `model-audit render`: prints each model's equation as Unicode, LaTeX or Markdown (with LaTeX for pull requests).

import { UsageError } from '../workspace/files';
import type { CheckedFile } from './checkReport';

export function renderModels(file: CheckedFile, opts: { model?: string; format: 'unicode' | 'latex' | 'markdown' | 'spec' }): string {
  const models = file.analysis.models.filter((m) => opts.model === undefined || m.graph.name === opts.model);
  if (models.length === 0) {
    throw new UsageError(opts.model ? `${file.path}: no model named ${opts.model} (found: ${file.analysis.models.map((m) => m.graph.name).join(', ') || 'none'})` : `${file.path}: no models found`);
  }
  if (opts.format === 'spec') throw new UsageError('--format spec is not available in this build yet');
  const blocks = models.map((m) => {
    const eq = m.equation;
    switch (opts.format) {
      case 'latex':
        return [`% ${m.graph.name} (${m.graph.framework})`, '\\begin{aligned}', ...eq.latexSteps.map((s) => `  ${s.replace('=', '&=')} \\\\`), '\\end{aligned}'].join('\n');
      case 'markdown':
        return [
          `### ${m.graph.name}`,
          '',
          `*${m.graph.framework}, ${file.path} line ${m.graph.nameRange.start.line + 1}*`,
          '',
          '$$',
          '\\begin{aligned}',
          ...eq.latexSteps.map((s) => `${s.replace('=', '&=')} \\\\`),
          '\\end{aligned}',
          '$$',
          ...(eq.collapsed ? ['', `Collapses to: \`${eq.collapsed}\``] : []),
        ].join('\n');
      default:
        return [`${m.graph.name} (${m.graph.framework})`, `  ${eq.text}`, ...eq.steps.map((s) => `    ${s}`), ...(eq.collapsed ? [`  collapses to: ${eq.collapsed}`] : [])].join('\n');
    }
  });
  return `${blocks.join('\n\n')}\n`;
}

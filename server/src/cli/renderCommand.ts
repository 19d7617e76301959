// `model-audit render`: prints each model's equation as Unicode, LaTeX or Markdown (with LaTeX for pull requests).

import { alternativeLabel } from '../core/render/alternatives';
import { NotebookProgram } from '../core/notebook';
import { latexDocument, markdownDocument } from '../core/render/documents';
import { UsageError } from '../workspace/files';
import type { CheckedFile } from './checkReport';
import { renderSpecs } from './specCommands';

export function renderModels(file: CheckedFile, opts: { model?: string; format: 'unicode' | 'latex' | 'markdown' | 'spec' }): string {
  const models = file.analysis.models.filter((m) => opts.model === undefined || m.graph.name === opts.model);
  if (models.length === 0) {
    throw new UsageError(opts.model ? `${file.path}: no model named ${opts.model} (found: ${file.analysis.models.map((m) => m.graph.name).join(', ') || 'none'})` : `${file.path}: no models found`);
  }
  if (opts.format === 'spec') return renderSpecs(file, models);
  const notebook = file.notebook;
  const blocks = models.map((m) => {
    const eq = m.equation;
    switch (opts.format) {
      case 'latex':
        return latexDocument(m);
      case 'markdown':
        return markdownDocument(m, file.path, notebook ? (pos) => NotebookProgram.describe(notebook, pos) : undefined);
      default:
        return [
          `${m.graph.name} (${m.graph.framework})`,
          `  ${eq.text}`,
          ...eq.steps.map((s) => `    ${s}`),
          ...(eq.collapsed ? [`  collapses to: ${eq.collapsed}`] : []),
          ...(eq.alternatives ?? []).map((a) => `  ${alternativeLabel(a)}: ${a.text}`),
        ].join('\n');
    }
  });
  return `${blocks.join('\n\n')}\n`;
}

// The CLI's spec features: `check` with specs bound to their code (a checked spec also checks its code, and code
// files are diffed against the checked specs that name them), `render --format spec` and `diff SPEC`.

import { resolve } from 'node:path';
import { type AnalysisOptions, analyzeSource, type FileAnalysis, ModuleMirrors, type ParserSet, renderModelEquation } from '../core/analyze';
import type { ModelAnalysis } from '../core/analyze';
import type { ImportResolver } from '../core/imports';
import { baseName } from '../core/spec/analyzeSpec';
import { languageOfPath } from '../core/languages';
import { specDiffReport } from '../core/spec/diffReport';
import { printSpecFile } from '../core/spec/printSpec';
import { displayPath, readText, UsageError } from '../workspace/files';
import { isNotebookPath, type NotebookProgram } from '../core/notebook';
import { readNotebookProgram } from '../workspace/notebookFiles';
import { diskSpecHost, readIfExists } from '../workspace/specHost';
import type { CheckedFile } from './checkReport';

/**
 * A notebook that cannot be read (invalid JSON, nbformat 3): given this, the check goes on without it and the reason
 * is passed here (a folder walk); without it, the check stops with a usage error (a notebook named on its own).
 */
export type SkipNotebook = (fullPath: string, reason: string) => boolean;

/** Analyses files (full paths): specs first, then code, each code file diffed against the checked specs naming it. */
export function checkFilesWithSpecs(files: readonly string[], cwd: string, parsers: ParserSet, optionsFor: (fullPath: string) => AnalysisOptions = () => ({}), resolveImport?: ImportResolver, skipNotebook?: SkipNotebook): CheckedFile[] {
  const host = diskSpecHost(cwd);
  const paths = files.map((full) => displayPath(full, cwd));
  const specs = paths.filter((p) => languageOfPath(p) === 'model-spec');
  const checked = new Map<string, FileAnalysis>();
  // Files importing the same blocks parse them once per run.
  const modules = new ModuleMirrors();
  for (const path of specs) {
    checked.set(path, analyzeSource({ file: { path, language: 'model-spec', text: readText(absolute(cwd, path)) }, parsers, specHost: host, options: optionsFor(absolute(cwd, path)) }));
  }
  // `check spec.mspec` checks the code it is bound to as well.
  const code = paths.filter((p) => languageOfPath(p) !== 'model-spec');
  for (const spec of checked.values()) for (const dep of spec.dependencies ?? []) if (!code.includes(dep) && readIfExists(absolute(cwd, dep)) !== undefined) code.push(dep);
  const notebooks = new Map<string, NotebookProgram>();
  for (const path of code) {
    if (isNotebookPath(path)) {
      // A notebook's code cells are one Python program; its findings are mapped back to cells when printed.
      let program: NotebookProgram;
      try {
        program = readNotebookProgram(absolute(cwd, path), path);
      } catch (error) {
        if (error instanceof UsageError && skipNotebook?.(absolute(cwd, path), error.message)) continue;
        throw error;
      }
      notebooks.set(path, program);
      checked.set(path, analyzeSource({ file: { path, language: 'python', text: program.text }, parsers, options: optionsFor(absolute(cwd, path)), resolveImport, modules }));
      continue;
    }
    const text = readText(absolute(cwd, path));
    const boundSpecs = specs.filter((s) => checked.get(s)?.dependencies?.includes(path));
    checked.set(path, analyzeSource({ file: { path, language: languageOfPath(path)!, text }, parsers, specHost: host, specs: boundSpecs, options: optionsFor(absolute(cwd, path)), resolveImport, modules }));
  }
  return [...checked.keys()].sort().map((path) => ({ path, analysis: checked.get(path)!, ...(notebooks.has(path) ? { notebook: notebooks.get(path) } : {}) }));
}

function absolute(cwd: string, path: string): string {
  return resolve(cwd, path);
}

/** `render --format spec`: a spec that `check` accepts and that matches the code, one `model` block per model. */
export function renderSpecs(file: CheckedFile, models: readonly ModelAnalysis[]): string {
  const codeName = baseName(file.path);
  return printSpecFile(models.map((m) => m.graph), { path: codeName, name: codeName, origin: 'model-audit render --format spec' });
}

/** `diff SPEC`: each spec model beside its code; exit 1 when they differ, 2 when the spec cannot be bound. */
export function diffSpec(specArg: string, cwd: string, parsers: ParserSet, format: 'text' | 'markdown'): { text: string; exitCode: number } {
  if (languageOfPath(specArg) !== 'model-spec') throw new UsageError(`${specArg}: not a spec file (expected .mspec)`);
  const host = diskSpecHost(cwd);
  const path = displayPath(absolute(cwd, specArg), cwd);
  const text = readText(absolute(cwd, path));
  const analysis = analyzeSource({ file: { path, language: 'model-spec', text }, parsers, specHost: host });
  const blocks: string[] = [];
  let differences = 0;
  const problems: string[] = [];
  for (const binding of analysis.specBindings ?? []) {
    if (!binding.code || !binding.codePath) continue;
    const report = specDiffReport({
      specPath: path,
      specText: text,
      codePath: binding.codePath,
      spec: binding.spec,
      code: binding.code,
      specEquation: renderModelEquation(binding.spec).text,
      codeEquation: renderModelEquation(binding.code).text,
    }, format);
    blocks.push(report.text);
    differences += report.differences;
  }
  for (const f of analysis.findings.filter((x) => x.code === 'MS010' || x.code === 'MS011')) problems.push(`${path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code} ${f.message}`);
  const out = [...blocks, ...(problems.length ? [problems.join('\n') + '\n'] : [])].join('\n');
  if (blocks.length === 0) return { text: out || `${path}: no model in this spec is bound to code\n`, exitCode: 2 };
  return { text: out, exitCode: differences > 0 || problems.length > 0 ? 1 : 0 };
}

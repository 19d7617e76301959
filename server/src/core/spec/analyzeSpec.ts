// Spec files in the analysis pipeline, and the binding between a spec and its code. A spec model binds to a model
// in a code file by `model NAME in "path"` (path relative to the spec); a code file may name its spec with a
// comment (`# model-spec: path.mspec`). The core stays pure: the edge hands in a SpecHost that resolves paths and
// reads files (the CLI reads the disk; the server reads open documents first, then the disk).

import type { AnalysisInput, FileAnalysis, ModelAnalysis, ModelEquation, SourceFile, SpecBinding, SpecHost } from '../fileAnalysis';

export type { SpecBinding, SpecHost } from '../fileAnalysis';
import { dedupeFindings, type Finding } from '../findings';
import type { ModelGraph, Range } from '../graph';
import { languageOfPath } from '../languages';
import { alignSpecToGraph } from './alignSpecToGraph';
import { buildSpecGraph, type SpecModelBuild } from './buildSpecGraph';
import { parseSpec, SPEC_UNBOUND, type SpecDocument } from './parseSpec';
import { editDistance } from './specOps';
import { specDiffFindings } from './specFindings';



export interface SpecAnalysisHelpers {
  /** Analyses a code file (frontend, shapes, rules), without spec binding. */
  analyzeCode(file: SourceFile): FileAnalysis;
  renderEquation(graph: ModelGraph): ModelEquation;
}


/** `file:///w/mnist.py` or `models/mnist.py` → `mnist.py`. */
export function baseName(path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1).slice(path.lastIndexOf('\\') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

const unbound = (message: string, range: Range, model?: string): Finding => ({ code: SPEC_UNBOUND, severity: 'error', message, range, model });

export function analyzeSpecSource(input: AnalysisInput, helpers: SpecAnalysisHelpers): FileAnalysis {
  const { file } = input;
  const host = input.specHost;
  const doc = parseSpec(file.text);
  const findings: Finding[] = doc.problems.map((p) => ({ code: p.code, severity: 'error', message: p.message, range: p.range }));
  const models: ModelAnalysis[] = [];
  const bindings: SpecBinding[] = [];
  const dependencies = new Set<string>();
  const codeCache = new Map<string, FileAnalysis | undefined>();

  for (const model of doc.models) {
    const build = buildSpecGraph(doc, model);
    const modelFindings: Finding[] = build.problems.map((p) => ({ code: p.code, severity: 'error', message: p.message, range: p.range, model: model.name }));
    let binding: SpecBinding = { specPath: file.path, spec: build.graph, pairs: new Map() };
    if (model.path === undefined) {
      modelFindings.push(unbound(`Model \`${model.name}\` is not bound to code: add \`in "path/to/code.py"\` (relative to this spec) to its \`model\` line.`, model.nameRange, model.name));
    } else if (!host) {
      // Without a host (a bare analysis of the text) there is no way to read the code; nothing to report.
    } else {
      const codePath = host.resolve(file.path, model.path);
      dependencies.add(codePath);
      const language = languageOfPath(codePath);
      let analysis = codeCache.get(codePath);
      if (!codeCache.has(codePath)) {
        const known = language && language !== 'model-spec' ? host.analysis?.(codePath) : undefined;
        const text = known || !language || language === 'model-spec' ? undefined : host.read(codePath);
        analysis = known ?? (text === undefined ? undefined : helpers.analyzeCode({ path: codePath, language: language!, text }));
        codeCache.set(codePath, analysis);
      }
      const pathRange = model.pathRange ?? model.headerRange;
      if (!language || language === 'model-spec') {
        modelFindings.push(unbound(`\`${model.path}\` is not a model file (expected .py, .js, .ts, .mjs or .cjs).`, pathRange, model.name));
      } else if (!analysis) {
        modelFindings.push(unbound(`Cannot find the code file \`${model.path}\` (relative to this spec) that model \`${model.name}\` is bound to.`, pathRange, model.name));
      } else {
        const codeModel = analysis.models.find((m) => m.graph.name === model.name);
        if (!codeModel) {
          const names = analysis.models.map((m) => m.graph.name);
          const close = names.map((n) => ({ n, d: editDistance(n.toLowerCase(), model.name.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
          const hint = close && close.d <= Math.max(2, Math.floor(model.name.length / 3)) ? `; did you mean \`${close.n}\`?` : names.length ? ` (found: ${names.join(', ')})` : ' (it has no models Model Audit recognises)';
          modelFindings.push(unbound(`\`${baseName(codePath)}\` has no model named \`${model.name}\`${hint}`, model.nameRange, model.name));
        } else {
          binding = { ...binding, codePath, code: codeModel.graph };
          // A statement that does not parse is missing from the spec's graph; diffing it would report its ops as missing.
          const broken = doc.problems.some((p) => p.range.start.line >= model.range.start.line && p.range.start.line <= model.range.end.line);
          if (!broken) {
            const alignment = alignSpecToGraph(build.graph, codeModel.graph);
            binding = { ...binding, pairs: alignment.pairs };
            const sides = specDiffFindings(alignment.differences, { specPath: file.path, specText: file.text, spec: build.graph, codePath, code: codeModel.graph, codeName: baseName(codePath), specName: baseName(file.path) });
            modelFindings.push(...sides.spec);
            modelFindings.push(...declaredShapeFindings(build, codeModel.graph, alignment.pairs, codePath));
          }
        }
      }
    }
    bindings.push(binding);
    models.push({ graph: build.graph, equation: helpers.renderEquation(build.graph), findings: modelFindings });
    findings.push(...modelFindings);
  }
  return { path: file.path, language: 'model-spec', models, findings: dedupeFindings(findings), dependencies: [...dependencies], specBindings: bindings };
}

/** `h1: [256] = …` states a shape; the code's inferred shape there must agree. */
function declaredShapeFindings(build: SpecModelBuild, code: ModelGraph, pairs: ReadonlyMap<number, number>, codePath: string): Finding[] {
  const out: Finding[] = [];
  for (const d of build.declaredShapes) {
    const codeId = pairs.get(d.nodeId);
    const codeNode = codeId === undefined ? undefined : code.nodes.find((n) => n.id === codeId);
    const shape = codeNode?.shape;
    if (!codeNode || !shape) continue;
    const comparable = d.dims.length === shape.length && d.dims.every((x, i) => typeof x !== 'number' || typeof shape[i] !== 'number' || x === shape[i]);
    if (comparable) continue;
    out.push({
      code: 'MS004',
      severity: 'warning',
      message: `spec: shape [${d.dims.join(', ')}] (line ${d.range.start.line + 1}); code: ${codeNode.module ?? codeNode.op} (${baseName(codePath)}:${codeNode.range.start.line + 1}) gives [${shape.join(', ')}] per sample`,
      range: d.range,
      model: build.graph.name,
      related: [{ path: codePath, range: codeNode.range, message: 'the code' }],
    });
  }
  return out;
}

const SPEC_COMMENT = /^[ \t]*(?:#|\/\/)[ \t]*model-spec:[ \t]*("?)([^\s"]+)\1/gm;

/** Where a code file names its spec (`# model-spec: mnist.mspec`). */
export function specComments(text: string): { path: string; range: Range }[] {
  const out: { path: string; range: Range }[] = [];
  // Most files name no spec: a plain search settles that without running the pattern over every line.
  if (!text.includes('model-spec:')) return out;
  for (const m of text.matchAll(SPEC_COMMENT)) {
    const start = (m.index ?? 0) + m[0].indexOf(m[2]);
    const before = text.slice(0, start);
    const line = before.split('\n').length - 1;
    const character = start - (before.lastIndexOf('\n') + 1);
    out.push({ path: m[2], range: { start: { line, character }, end: { line, character: character + m[2].length } } });
  }
  return out;
}

/**
 * The code side of the spec diff: for each spec this code file is bound to (named by a `# model-spec:` comment,
 * or handed in by the edge, e.g. open spec documents that name this file), the differences reported at the code.
 */
export function specFindingsForCode(file: SourceFile, models: readonly ModelAnalysis[], host: SpecHost, extraSpecs: readonly string[] = []): { findings: Finding[]; dependencies: string[] } {
  const findings: Finding[] = [];
  const dependencies = new Set<string>();
  const specs = new Map<string, Range | undefined>();
  for (const c of specComments(file.text)) specs.set(host.resolve(file.path, c.path), c.range);
  for (const s of extraSpecs) if (!specs.has(s)) specs.set(s, undefined);
  for (const [specPath, commentRange] of specs) {
    dependencies.add(specPath);
    const text = host.read(specPath);
    if (text === undefined) {
      if (commentRange) findings.push(unbound(`Cannot find the spec file \`${baseName(specPath)}\` this comment names.`, commentRange));
      continue;
    }
    const doc: SpecDocument = parseSpec(text);
    for (const model of doc.models) {
      const boundHere = model.path !== undefined ? host.resolve(specPath, model.path) === file.path : commentRange !== undefined;
      if (!boundHere) continue;
      const codeModel = models.find((m) => m.graph.name === model.name);
      if (!codeModel) {
        if (commentRange) findings.push(unbound(`The spec \`${baseName(specPath)}\` describes a model \`${model.name}\` that this file does not define.`, commentRange, model.name));
        continue;
      }
      const broken = doc.problems.some((p) => p.range.start.line >= model.range.start.line && p.range.start.line <= model.range.end.line);
      if (broken) continue;
      const build = buildSpecGraph(doc, model);
      const alignment = alignSpecToGraph(build.graph, codeModel.graph);
      const sides = specDiffFindings(alignment.differences, { specPath, specText: text, spec: build.graph, codePath: file.path, code: codeModel.graph, codeName: baseName(file.path), specName: baseName(specPath) });
      findings.push(...sides.code);
    }
  }
  return { findings: dedupeFindings(findings), dependencies: [...dependencies] };
}

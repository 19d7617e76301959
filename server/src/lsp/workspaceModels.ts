// Model names for completion after `model ` in a spec: the models of the file the line binds to (analysed
// properly), of the open documents, and a quick scan of the workspace's model files for class, Sequential and
// builder-function names.

import { fileURLToPath } from 'node:url';
import { analyzeSource, type FileAnalysis, type ParserSet } from '../core/analyze';
import { type SpecHost } from '../core/spec/analyzeSpec';
import { languageOfPath } from '../core/languages';
import { collectFiles, readText } from '../workspace/files';

const MODEL_PATTERNS = [
  /^class\s+([A-Za-z_]\w*)\s*\([^)]*(?:Module|Model|Layer)\b/gm,
  /^([A-Za-z_]\w*)\s*=\s*(?:[\w.]*\.)?(?:Sequential|sequential|Model|model)\s*\(/gm,
  /^(?:export\s+)?(?:async\s+)?(?:def|function)\s+((?:build|make|create|get)\w*)\s*\(/gm,
];
const MAX_FILES = 500;

export function scanModelNames(text: string): string[] {
  const names = new Set<string>();
  for (const pattern of MODEL_PATTERNS) for (const m of text.matchAll(pattern)) names.add(m[1]);
  return [...names];
}

export interface ModelNameSources {
  readonly specUri: string;
  readonly codePath?: string;
  readonly host: SpecHost;
  readonly parsers: ParserSet;
  readonly openAnalyses: readonly FileAnalysis[];
  readonly workspaceRoots: readonly string[];
}

export function modelNames(sources: ModelNameSources): string[] {
  const names = new Set<string>();
  if (sources.codePath) {
    const uri = sources.host.resolve(sources.specUri, sources.codePath);
    const text = sources.host.read(uri);
    const language = languageOfPath(uri);
    if (text !== undefined && language && language !== 'model-spec') {
      for (const m of analyzeSource({ file: { path: uri, language, text }, parsers: sources.parsers }).models) names.add(m.graph.name);
      // The bound file alone answers; other files' models would not bind.
      return [...names];
    }
  }
  for (const a of sources.openAnalyses) if (a.language !== 'model-spec') for (const m of a.models) names.add(m.graph.name);
  for (const root of sources.workspaceRoots) {
    let files: string[];
    try {
      files = collectFiles([fileURLToPath(root)], '/').filter((f) => languageOfPath(f) !== 'model-spec').slice(0, MAX_FILES);
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        for (const n of scanModelNames(readText(f))) names.add(n);
      } catch {
        // An unreadable file offers no names.
      }
    }
  }
  return [...names];
}

// Suppression comments: `# model-audit: ignore[MA001]` (or `// …` in JavaScript) silences the listed codes on its
// line; on a model's `class`/`def` line it silences them for the whole model; `model-audit: ignore-file[MT001]`
// anywhere silences them in the file. Without a list (`# model-audit: ignore`) every code is silenced.

import type { Finding } from './findings';
import { type ModelGraph, Range } from './graph';
import { ruleFor } from './rules/registry';

const PATTERN = /(?:#|\/\/)\s*model-audit:\s*ignore(-file)?\b(?:\[([^\]]*)\])?/g;

/** The codes a comment lists, `*` for all; rule names are accepted and turned into codes. */
export interface Suppression {
  readonly line: number;
  readonly codes: ReadonlySet<string>;
  readonly file: boolean;
}

export namespace Suppression {
  export function parse(text: string): Suppression[] {
    const out: Suppression[] = [];
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      if (!line.includes('model-audit')) return;
      for (const m of line.matchAll(PATTERN)) {
        const list = m[2]?.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
        const codes = new Set(list && list.length > 0 ? list.map((c) => ruleFor(c)?.code ?? c.toUpperCase()) : ['*']);
        out.push({ line: i, codes, file: m[1] !== undefined });
      }
    });
    return out;
  }

  export function covers(s: Suppression, code: string): boolean {
    return s.codes.has('*') || s.codes.has(code);
  }
}

function inside(outer: Range, inner: Range): boolean {
  return Range.contains(outer, inner.start) && Range.contains(outer, inner.end);
}

/**
 * The suppression comments of one text, read once, as a filter over findings. Reading the comments scans the whole
 * text, so a file with many models builds this once rather than once per model.
 */
export function suppressionFilter(text: string, graphs: readonly Pick<ModelGraph, 'name' | 'range' | 'nameRange'>[] = []): <T extends Finding>(findings: readonly T[]) => readonly T[] {
  const all = text.includes('model-audit') ? Suppression.parse(text) : [];
  // A list the comments leave whole comes back as the same array, so callers can tell nothing changed.
  if (all.length === 0) return (findings) => findings;
  const byLine = new Map<number, Suppression[]>();
  for (const s of all) byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
  const fileWide = all.filter((s) => s.file);
  const modelWide = graphs.flatMap((g) => {
    const lines = new Set([g.range.start.line, g.nameRange.start.line]);
    return [...lines].flatMap((l) => (byLine.get(l) ?? []).filter((s) => !s.file).map((s) => ({ graph: g, s })));
  });
  return (findings) => {
    const kept = findings.filter((f) => {
      if (fileWide.some((s) => Suppression.covers(s, f.code))) return false;
      if ((byLine.get(f.range.start.line) ?? []).some((s) => !s.file && Suppression.covers(s, f.code))) return false;
      return !modelWide.some(({ graph, s }) => Suppression.covers(s, f.code) && (f.model === graph.name || inside(graph.range, f.range)));
    });
    return kept.length === findings.length ? findings : kept;
  };
}

/** The findings that no suppression comment in `text` covers. */
export function applySuppressions<T extends Finding>(findings: readonly T[], text: string, graphs: readonly Pick<ModelGraph, 'name' | 'range' | 'nameRange'>[] = []): readonly T[] {
  return suppressionFilter(text, graphs)(findings);
}

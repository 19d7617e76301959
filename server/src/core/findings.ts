// Findings: what rules, frontends and the spec diff report. A finding is protocol-free; the LSP edge and the CLI
// convert it to a Diagnostic or a line of text.

import type { Range, Severity, TextEdit } from './graph';

export interface RelatedLocation {
  /** The file the location is in; omitted when it is the finding's own file. */
  readonly path?: string;
  readonly range: Range;
  readonly message: string;
}

/** A quick fix: edits the user may choose to apply. */
export interface Fix {
  readonly title: string;
  /** Edits keyed by file; the empty key means the finding's own file. */
  readonly edits: readonly TextEdit[];
  readonly path?: string;
  /** Whether the fix keeps the program's meaning apart from the bug it removes. */
  readonly isPreferred?: boolean;
}

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly related?: readonly RelatedLocation[];
  readonly fixes?: readonly Fix[];
  /** The model the finding is about, when there is one. */
  readonly model?: string;
  /**
   * Marks findings kept from an earlier, parseable version of the text while the current one does not parse: those of
   * a model graph kept from it, and training-loop (MT) findings whose code is still in place.
   */
  readonly stale?: boolean;
}

/** Findings without repeats: one per code, start position and message (a spec and its code can report one twice). */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.range.start.line}:${f.range.start.character}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

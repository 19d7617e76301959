// What a handler reads about a document: one analysis and the version of the text it was computed from, frozen.
// Handlers and the publisher only ever see a snapshot, never the scheduler's working state, so a result computed for
// an old version cannot be changed into, or mistaken for, the current one.

import type { FileAnalysis } from '../core/analyze';

export interface AnalysisSnapshot {
  readonly uri: string;
  /** The document version the analysis was computed from. */
  readonly version: number;
  readonly analysis: FileAnalysis;
}

export namespace AnalysisSnapshot {
  /** A frozen snapshot; the analysis is frozen deeply (parts shared with earlier snapshots are frozen already). */
  export function of(uri: string, version: number, analysis: FileAnalysis): AnalysisSnapshot {
    return Object.freeze({ uri, version, analysis: deepFreeze(analysis) });
  }

  /** Whether the snapshot describes `version` of its document. */
  export function isFor(snapshot: AnalysisSnapshot | undefined, version: number | undefined): snapshot is AnalysisSnapshot {
    return snapshot !== undefined && snapshot.version === version;
  }
}

/**
 * Freezes a value and everything it reaches, stopping at what is frozen already: an unchanged model's graph and
 * equation are shared with the previous snapshot, so an edit freezes only what it recomputed. Maps and sets are left
 * as they are (frozen objects, but their entries stay typed readonly only).
 */
function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v) || ArrayBuffer.isView(v)) continue;
    Object.freeze(v);
    if (v instanceof Map || v instanceof Set) continue;
    for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return value;
}

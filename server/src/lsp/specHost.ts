// The server's SpecHost and the dependencies between open documents. A spec is bound to code in another file and a
// code file may name its spec, so an analysis reads other files: open documents first (their unsaved text), then the
// disk. Each analysis records what it read, so that editing either side re-checks the other without saving.

import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../core/analyze';
import type { SpecHost } from '../core/spec/analyzeSpec';
import { readIfExists } from '../workspace/specHost';

export function lspSpecHost(getDocument: (uri: string) => TextDocument | undefined, getAnalysis?: (uri: string) => FileAnalysis | undefined): SpecHost {
  return {
    analysis: getAnalysis,
    resolve(from, relative) {
      try {
        return new URL(relative.replace(/\\/g, '/'), from).href;
      } catch {
        return relative;
      }
    },
    read(uri) {
      const open = getDocument(uri);
      if (open) return open.getText();
      if (!uri.startsWith('file:')) return undefined;
      try {
        return readIfExists(fileURLToPath(uri));
      } catch {
        return undefined;
      }
    },
  };
}

/** Which documents' analyses read which other files. */
export class DependencyTracker {
  private readonly reads = new Map<string, readonly string[]>();

  record(uri: string, dependencies: readonly string[] | undefined): void {
    if (dependencies && dependencies.length > 0) this.reads.set(uri, dependencies);
    else this.reads.delete(uri);
  }

  /** The spec documents whose last analysis read `uri` (they name it as their code). */
  specsNaming(uri: string): string[] {
    return [...this.reads].filter(([spec, deps]) => spec.endsWith('.mspec') && deps.includes(uri)).map(([spec]) => spec);
  }

  /** Documents to re-check when `uri` changed: those that read it and those it reads. */
  related(uri: string): string[] {
    const out = new Set<string>(this.reads.get(uri) ?? []);
    for (const [other, deps] of this.reads) if (deps.includes(uri)) out.add(other);
    out.delete(uri);
    return [...out];
  }

  forget(uri: string): void {
    this.reads.delete(uri);
  }
}

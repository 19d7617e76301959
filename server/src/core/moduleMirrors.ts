// Mirrored syntax trees of imported modules, kept by the edge across analyses (see `AnalysisInput.modules`).

import type { Parser } from 'web-tree-sitter';
import type { SyntaxNode } from './syntax';

/**
 * Mirrored syntax of imported modules by path, valid while the module's text is the same, least recently used first
 * out, within a budget of characters. A model file that imports blocks from a 2,000-line module would otherwise parse
 * and mirror that module on every keystroke; the edge (the server for its whole life, the CLI for one run) keeps one
 * of these and hands it to every analysis. An edited or re-read module with other text replaces its entry.
 */
export class ModuleMirrors {
  private readonly entries = new Map<string, { readonly parser: Parser; readonly text: string; readonly root: SyntaxNode }>();
  private characters = 0;

  constructor(private readonly budget = 250_000) {}

  get(parser: Parser, path: string, text: string): SyntaxNode | undefined {
    const entry = this.entries.get(path);
    if (!entry || entry.parser !== parser || entry.text !== text) return undefined;
    // Most recently used last.
    this.entries.delete(path);
    this.entries.set(path, entry);
    return entry.root;
  }

  set(parser: Parser, path: string, text: string, root: SyntaxNode): void {
    const previous = this.entries.get(path);
    if (previous) {
      this.entries.delete(path);
      this.characters -= previous.text.length;
    }
    if (text.length > this.budget) return;
    while (this.characters + text.length > this.budget) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { readonly text: string }];
      this.entries.delete(oldest);
      this.characters -= entry.text.length;
    }
    this.entries.set(path, { parser, text, root });
    this.characters += text.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

// Cross-file imports: how a frontend reaches a module the model imports (`from .blocks import ResBlock`, `from
// models.layers import *`, `import { denseBlock } from './blocks.js'`). The core never reads files; the edge hands
// in a resolver (the CLI reads the disk, the language server prefers open documents), and the frontend parses what
// it returns.

import type { SyntaxNode } from './syntax';

/** Imports are followed this many files deep; a chain longer than that is cut (its names stay opaque). */
const MAX_IMPORT_DEPTH = 8;

/** A module's source as the edge found it. */
export interface ResolvedModule {
  /** The file's path, as the edge names files (used for hints only). */
  readonly path: string;
  readonly text: string;
}

/**
 * Finds the source of `moduleName` as written in an import (`.blocks`, `..nets.layers`, `models.layers` in Python;
 * `./blocks.js`, `../layers` in JavaScript and TypeScript) from the file at `fromPath`; undefined when it is not in
 * the workspace (torchvision, timm, keras_cv, an npm package, a typo).
 */
export type ImportResolver = (moduleName: string, fromPath: string) => ResolvedModule | undefined;

/** A parsed module, kept alive until the extraction that asked for it is done. */
export interface ParsedModule {
  readonly root: SyntaxNode;
  dispose(): void;
}

/** What a frontend needs to follow imports: the importing file's path, the resolver and a parser. */
export interface ImportContext {
  readonly path: string;
  readonly resolve: ImportResolver;
  /** Parses an imported module's text; `path` names it (for caches that must not mix two files with equal text). */
  readonly parse: (text: string, path?: string) => ParsedModule | undefined;
}

/** Libraries whose names are modelled directly or are not models at all; never looked up in the workspace. */
export const KNOWN_LIBRARIES = /^(torch|torchvision|torchaudio|torchtext|timm|transformers|numpy|math|typing|collections|dataclasses|functools|itertools|os|sys|re|json|abc|enum|copy|random|einops|pytorch_lightning|lightning|tensorflow|keras|tf_keras|__future__)(\.|$)/;

/** Libraries of ready-made models: what a model takes from them is shown as one named opaque block. */
export const MODEL_LIBRARIES = /^(torchvision|torchaudio|torchtext|timm|transformers|segmentation_models_pytorch|efficientnet_pytorch|pretrainedmodels)(\.|$)/;

/**
 * The workspace modules one extraction follows through imports, each resolved, parsed and scoped once. A module
 * that is still being read when it is asked for again (an import cycle), one nested too deep, or a resolver that
 * throws all give undefined: the frontend then shows the imported names as opaque blocks.
 */
export class ModuleLoader<S> {
  private readonly scopes = new Map<string, S | null>();
  private readonly parsed: ParsedModule[] = [];
  private depth = 0;

  constructor(
    readonly context: ImportContext | undefined,
    private readonly makeScope: (root: SyntaxNode, path: string) => S,
  ) {}

  /** The scope of `moduleName` imported from `fromPath` (the importing file; the analysed file when undefined). */
  load(moduleName: string, fromPath?: string): { readonly scope: S; readonly path: string } | undefined {
    const context = this.context;
    if (!context || this.depth >= MAX_IMPORT_DEPTH) return undefined;
    let resolved: ResolvedModule | undefined;
    try {
      resolved = context.resolve(moduleName, fromPath ?? context.path);
    } catch {
      return undefined;
    }
    if (!resolved || resolved.path === context.path) return undefined;
    if (this.scopes.has(resolved.path)) {
      const known = this.scopes.get(resolved.path);
      return known ? { scope: known, path: resolved.path } : undefined;
    }
    // null marks a module still being read: an import cycle stops here.
    this.scopes.set(resolved.path, null);
    let parsed: ParsedModule | undefined;
    try {
      parsed = context.parse(resolved.text, resolved.path);
    } catch {
      parsed = undefined;
    }
    if (!parsed) return undefined;
    this.parsed.push(parsed);
    this.depth++;
    try {
      const scope = this.makeScope(parsed.root, resolved.path);
      this.scopes.set(resolved.path, scope);
      return { scope, path: resolved.path };
    } finally {
      this.depth--;
    }
  }

  dispose(): void {
    for (const p of this.parsed) p.dispose();
  }
}

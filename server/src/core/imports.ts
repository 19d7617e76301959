// Cross-file imports: how a frontend reaches a module the model imports (`from .blocks import ResBlock`, `from
// models.layers import *`). The core never reads files; the edge hands in a resolver (the CLI reads the disk, the
// language server prefers open documents), and the frontend parses what it returns.

import type { SyntaxNode } from './syntax';

/** A module's source as the edge found it. */
export interface ResolvedModule {
  /** The file's path, as the edge names files (used for hints only). */
  readonly path: string;
  readonly text: string;
}

/**
 * Finds the source of `moduleName` as written in an import (`.blocks`, `..nets.layers`, `models.layers`) from the
 * file at `fromPath`; undefined when it is not in the workspace (torchvision, timm, a typo).
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
  readonly parse: (text: string) => ParsedModule | undefined;
}

/** Libraries whose names are modelled directly or are not models at all; never looked up in the workspace. */
export const KNOWN_LIBRARIES = /^(torch|torchvision|torchaudio|torchtext|timm|transformers|numpy|math|typing|collections|dataclasses|functools|itertools|os|sys|re|json|abc|enum|copy|random|einops|pytorch_lightning|lightning|tensorflow|keras|tf_keras|__future__)(\.|$)/;

/** Libraries of ready-made models: what a model takes from them is shown as one named opaque block. */
export const MODEL_LIBRARIES = /^(torchvision|torchaudio|torchtext|timm|transformers|segmentation_models_pytorch|efficientnet_pytorch|pretrainedmodels)(\.|$)/;

import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { ModelGraph } from '../graph';
export function extractTfjs(root: SyntaxNode): { models: ModelGraph[] } {
  void root;
  return { models: [] };
}

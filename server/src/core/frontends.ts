// Chooses the frontends for a parsed file: Python files go to the PyTorch and/or Keras frontend (decided by what
// the file imports; a file may hold both), JavaScript and TypeScript files to the TF.js frontend.

import type { SyntaxNode } from './syntax';
import type { Language, ModelGraph } from './graph';
import type { ImportContext } from './imports';
import { extractKeras } from './keras/extractKeras';
import { type ExtractionMemo, extractPytorch } from './python/extractPytorch';
import { extractTfjs } from './tfjs/extractTfjs';

const IMPORTS_TORCH = /^[ \t]*(?:import|from)[ \t]+(?:torch|pytorch_lightning|lightning)\b/m;
const IMPORTS_KERAS = /^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras|tf_keras)\b/m;

/** Which Python frameworks a file uses, by its imports; a file importing neither is read as PyTorch. */
export function pythonFrameworks(text: string): { pytorch: boolean; keras: boolean } {
  const keras = IMPORTS_KERAS.test(text);
  const pytorch = IMPORTS_TORCH.test(text) || !keras;
  return { pytorch, keras };
}

/** Every model in a parsed file, from every frontend that applies, in source order. */
/** `memo`: PyTorch graphs of the document's last analysis, reused for models whose code and dependencies are unchanged. */
export function extractModels(language: Language, root: SyntaxNode, text: string, imports?: ImportContext, memo?: ExtractionMemo): ModelGraph[] {
  if (language === 'python') {
    const use = pythonFrameworks(text);
    const models = [...(use.pytorch ? extractPytorch(root, imports, memo).models : []), ...(use.keras ? extractKeras(root, imports).models : [])];
    return models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }
  if (language === 'javascript' || language === 'typescript') return extractTfjs(root, imports).models;
  return [];
}

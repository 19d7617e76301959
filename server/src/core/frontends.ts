// Chooses the frontends for a parsed file: Python files go to the PyTorch and/or Keras frontend (decided by what
// the file imports; a file may hold both) and, when they build a TensorFlow 1 graph, to the TF1 frontend too, JavaScript and TypeScript files to the TF.js frontend.

import { statementDelta, type SyntaxNode } from './syntax';
import type { Language, ModelGraph } from './graph';
import type { ImportContext } from './imports';
import { extractKeras } from './keras/extractKeras';
import { type ExtractionMemo, extractPytorch } from './python/extractPytorch';

export type { ExtractionMemo } from './python/extractPytorch';
import { extractTfjs } from './tfjs/extractTfjs';
import { extractTf1 } from './tf1/extractTf1';
import { isTf1GraphCode } from './tf1/tf1Catalog';

const IMPORTS_TORCH = /^[ \t]*(?:import|from)[ \t]+(?:torch|pytorch_lightning|lightning)\b/m;
const IMPORTS_KERAS = /^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras|tf_keras)\b/m;

/** Which Python frameworks a file uses, by its imports; a file importing neither is read as PyTorch. */
export function pythonFrameworks(text: string): { pytorch: boolean; keras: boolean; tf1: boolean } {
  const keras = IMPORTS_KERAS.test(text);
  const pytorch = IMPORTS_TORCH.test(text) || !keras;
  return { pytorch, keras, tf1: keras && isTf1GraphCode(text) };
}

/** What the frontends find in a file: its models, and the models its training code builds from imported classes. */
export interface Extracted {
  readonly models: ModelGraph[];
  /** Read only when the file evaluates something under no_grad or inference_mode (what MT003 needs them for). */
  readonly trained: ModelGraph[];
}

const EVALUATES = /\bno_grad\b|\binference_mode\b/;

/** What one top-level statement's text says: whether it imports torch or keras, and evaluates under no_grad. */
interface StatementWords {
  readonly torch: boolean;
  readonly keras: boolean;
  readonly evaluates: boolean;
}
const statementWords = new WeakMap<SyntaxNode, StatementWords>();

/**
 * `pythonFrameworks(text)` and whether the text evaluates under no_grad, read per top-level statement (kept while
 * the statement is unchanged) instead of over the whole text on every edit. The line-anchored import patterns read a
 * statement's own text only when it starts a line; a module with one that does not is read whole.
 */
function wordsOf(root: SyntaxNode, text: string): StatementWords & { readonly tf1: boolean } {
  const counts = root.type === 'module' ? wordCounts(root) : undefined;
  if (!counts || counts.indented > 0) {
    const use = pythonFrameworks(text);
    return { torch: IMPORTS_TORCH.test(text), keras: use.keras, evaluates: EVALUATES.test(text), tf1: use.tf1 };
  }
  const keras = counts.keras > 0;
  return { torch: counts.torch > 0, keras, evaluates: counts.evaluates > 0, tf1: keras && isTf1GraphCode(text) };
}

/** How many of a module's statements import torch, import Keras, evaluate, or do not start a line. */
interface WordCounts {
  readonly torch: number;
  readonly keras: number;
  readonly evaluates: number;
  readonly indented: number;
}

const moduleWords = new WeakMap<SyntaxNode, WordCounts>();

function wordsOfStatement(statement: SyntaxNode): StatementWords {
  let words = statementWords.get(statement);
  if (!words) {
    const own = statement.text;
    words = { torch: IMPORTS_TORCH.test(own), keras: IMPORTS_KERAS.test(own), evaluates: EVALUATES.test(own) };
    statementWords.set(statement, words);
  }
  return words;
}

/**
 * The module's counts: the previous text's moved by the statements an edit removed and added (when no kept
 * statement moved, so none changed its column), else counted over every statement.
 */
function wordCounts(root: SyntaxNode): WordCounts {
  const known = moduleWords.get(root);
  if (known) return known;
  const delta = statementDelta(root);
  const before = delta && !delta.moved ? moduleWords.get(delta.previous) : undefined;
  const patch = delta !== undefined && before !== undefined && delta.removed.every((s) => statementWords.has(s));
  const counts = patch ? { ...before } : { torch: 0, keras: 0, evaluates: 0, indented: 0 };
  const add = (statement: SyntaxNode, sign: number) => {
    const words = wordsOfStatement(statement);
    if (words.torch) counts.torch += sign;
    if (words.keras) counts.keras += sign;
    if (words.evaluates) counts.evaluates += sign;
    // A removed statement keeps the position it had in the previous text.
    if (statement.startPosition.column !== 0) counts.indented += sign;
  };
  if (patch) {
    for (const statement of delta.removed) add(statement, -1);
    for (const statement of delta.added) add(statement, 1);
  } else {
    for (const statement of root.children) add(statement, 1);
  }
  moduleWords.set(root, counts);
  return counts;
}

/** Every model in a parsed file, from every frontend that applies, in source order. */
/** `memo`: PyTorch graphs of the document's last analysis, reused for models whose code and dependencies are unchanged. */
export function extractModels(language: Language, root: SyntaxNode, text: string, imports?: ImportContext, memo?: ExtractionMemo): Extracted {
  if (language === 'python') {
    const words = wordsOf(root, text);
    const use = { pytorch: words.torch || !words.keras, keras: words.keras, tf1: words.tf1 };
    const pytorch = use.pytorch ? extractPytorch(root, imports, memo, imports !== undefined && !root.hasError && words.evaluates) : undefined;
    const models = [
      ...(pytorch?.models ?? []),
      ...(use.keras ? extractKeras(root, imports).models : []),
      ...(use.tf1 ? extractTf1(root).models : []),
    ];
    models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { models, trained: pytorch?.trained ?? [] };
  }
  if (language === 'javascript' || language === 'typescript') return { models: extractTfjs(root, imports).models, trained: [] };
  return { models: [], trained: [] };
}

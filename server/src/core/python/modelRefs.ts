// Which model a Python expression refers to: `model` bound to `Net().to(device)`, `self` inside the model's own
// class, `self.net` assigned in a constructor, `nn.DataParallel(model)`. Shared by the readers of training code.

import type { SyntaxNode } from '../syntax';
import type { ModelGraph } from '../graph';
import type { ScopeQueries } from './pyScope';
import { callArguments } from './pyScope';

/** Wrappers around a model that call it unchanged: `nn.DataParallel(model)`, `torch.compile(model)`. */
const MODEL_WRAPPERS = /(^|\.)(DataParallel|DistributedDataParallel|compile|DDP)$/;
/** Methods that return the model itself. */
const MODEL_METHODS = new Set(['to', 'cuda', 'cpu', 'double', 'float', 'half', 'train', 'eval', 'requires_grad_']);
const MODEL_LIKE_NAME = /(^|_)(model|net|network|classifier)$/i;

export interface ModelRef {
  /** The names of the file's models (classes, module-level Sequential values, builder functions). */
  readonly classes: ReadonlySet<string>;
  /** The model an expression refers to, by name. */
  resolve(expr: SyntaxNode, at: SyntaxNode, scopes: ScopeQueries): string | undefined;
}

export function findModelRefs(graphs: readonly Pick<ModelGraph, 'name'>[]): ModelRef {
  const names = new Set(graphs.map((g) => g.name));
  const only = graphs.length === 1 ? graphs[0].name : undefined;
  const resolve = (expr: SyntaxNode, at: SyntaxNode, scopes: ScopeQueries, depth: number): string | undefined => {
    if (depth > 8) return undefined;
    switch (expr.type) {
      case 'identifier': {
        if (expr.text === 'self') {
          const cls = scopes.classOf(expr)?.childForFieldName('name')?.text;
          return cls && names.has(cls) ? cls : undefined;
        }
        const b = scopes.lookup(expr.text, at);
        if (b && !b.loop && b.index === undefined) {
          const found = resolve(b.value, b.value, scopes, depth + 1);
          if (found) return found;
        }
        // A module-level `model = nn.Sequential(...)` is a model by its own name.
        if (names.has(expr.text) && (!b || scopes.scopeOf(b.value).type === 'module')) return expr.text;
        // A parameter named like a model, in a file that defines exactly one.
        if (!b && only && MODEL_LIKE_NAME.test(expr.text)) return only;
        return undefined;
      }
      case 'attribute': {
        const object = expr.childForFieldName('object');
        const attr = expr.childForFieldName('attribute')?.text ?? '';
        if (object?.text !== 'self') return undefined;
        const b = scopes.lookupSelf(attr, at);
        if (b) return resolve(b.value, b.value, scopes, depth + 1);
        return only && MODEL_LIKE_NAME.test(attr) ? only : undefined;
      }
      case 'call': {
        const fn = expr.childForFieldName('function');
        if (!fn) return undefined;
        if (fn.type === 'identifier' && names.has(fn.text)) return fn.text;
        if (fn.type === 'attribute' && MODEL_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
          const object = fn.childForFieldName('object');
          return object ? resolve(object, at, scopes, depth + 1) : undefined;
        }
        if (MODEL_WRAPPERS.test(fn.text)) {
          const first = callArguments(expr).args[0];
          return first ? resolve(first, at, scopes, depth + 1) : undefined;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  };
  return { classes: names, resolve: (expr, at, scopes) => resolve(expr, at, scopes, 0) };
}

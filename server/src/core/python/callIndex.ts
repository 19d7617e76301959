// The calls of one top-level statement, indexed by their callee's text (`train_step`, `self.fc1`, `F.relu`) and by
// their receiver's text (`model` in `model.eval()`). Built once per mirrored statement, so an edit re-indexes only
// the statement it touched; the readers of training code (facts, losses) look calls up here instead of walking.

import type { SyntaxNode } from '../syntax';

/** One top-level statement's calls by their callee's text and by their receiver's text. */
export interface CallIndex {
  readonly byCallee: Map<string, SyntaxNode[]>;
  readonly byReceiver: Map<string, SyntaxNode[]>;
}
const callIndexes = new WeakMap<SyntaxNode, CallIndex>();

export function callIndex(statement: SyntaxNode): CallIndex {
  let index = callIndexes.get(statement);
  if (index) return index;
  index = { byCallee: new Map(), byReceiver: new Map() };
  const found = statement.descendantsOfType('call');
  const list = statement.type === 'call' ? [statement, ...found] : found;
  for (const call of list) {
    const fn = call.childForFieldName('function');
    if (!fn) continue;
    push(index.byCallee, fn.text, call);
    const object = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (object) push(index.byReceiver, object.text, call);
  }
  callIndexes.set(statement, index);
  return index;
}

/** One index of the whole file from the statements' own, in source order; the statements' lists are not modified. */
export function mergeIndexes(maps: readonly Map<string, SyntaxNode[]>[]): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  // A key seen in one statement shares that statement's list; from the second statement on it gets a list of its
  // own, appended to in place (a callee repeated in every class costs linear time, not quadratic).
  const owned = new Set<string>();
  for (const map of maps) {
    for (const [key, list] of map) {
      const merged = out.get(key);
      if (!merged) out.set(key, list);
      else if (owned.has(key)) for (const call of list) merged.push(call);
      else {
        out.set(key, merged.concat(list));
        owned.add(key);
      }
    }
  }
  return out;
}

function push(map: Map<string, SyntaxNode[]>, key: string, call: SyntaxNode): void {
  const list = map.get(key);
  if (list) list.push(call);
  else map.set(key, [call]);
}

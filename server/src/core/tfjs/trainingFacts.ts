// Training facts from JavaScript and TypeScript (TF.js): `model.fit(xs, ys, { shuffle: false })`. TF.js shuffles by
// default, so only an explicit `shuffle: false` is a fact worth reporting (MT001).

import { rangeOfSyntax, type SyntaxNode } from '../syntax';
import type { DataPipelineFact, TrainingFacts } from '../training';

const rangeOf = rangeOfSyntax;

export function extractTfjsTrainingFacts(root: SyntaxNode): TrainingFacts {
  const pipelines: DataPipelineFact[] = [];
  try {
    for (const call of root.descendantsOfType('call_expression')) {
      const fn = call?.childForFieldName('function');
      if (!call || fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'fit') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
      const options = args[args.length - 1];
      if (options?.type !== 'object') continue;
      for (const pair of options.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = pair.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
        const value = pair.childForFieldName('value');
        if (key !== 'shuffle' || !value) continue;
        const shuffle = value.type === 'true' ? 'true' : value.type === 'false' ? 'false' : 'unknown';
        pipelines.push({
          range: rangeOf(call),
          kind: 'fit',
          name: fn.childForFieldName('object')?.text,
          shuffle,
          hasSampler: false,
          iterable: false,
          role: 'train',
          shuffleRange: rangeOf(value),
          enableShuffle: shuffle === 'false' ? { description: 'pass shuffle: true', edits: [{ range: rangeOf(value), newText: 'true' }] } : undefined,
          written: 'fit(…, { shuffle: false })',
        });
      }
    }
  } catch {
    return { pipelines: [], steps: [], evaluations: [], modeSwitches: [] };
  }
  return { pipelines, steps: [], evaluations: [], modeSwitches: [] };
}

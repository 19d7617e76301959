// Random edits for property tests: truncations, token and string insertions, deletions and byte noise.

import fc from 'fast-check';

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'noise'; at: number; bytes: number[] };

export const TOKENS = ['(', ')', '[', ']', '{', '}', ':', ',', '=', '\n', '    ', 'self.', 'nn.Linear(', 'F.relu(', 'def ', 'class ', 'return ', '"""', "'", '#', '\\', '@', '*', '**', 'é', '😀', '\u0000', '\r\n', 'for x in self.layers:\n', 'x = layer(x)', 'model ', 'input x: [', 'relu(Linear(x, '];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 12 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 6 }).map((a) => a.join(''))) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('noise' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
);

export function mutate(text: string, edits: readonly Mutation[]): string {
  let out = text;
  for (const m of edits) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = out.slice(0, at) + m.text + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'noise':
        out = out.slice(0, at) + Buffer.from(m.bytes).toString('latin1') + out.slice(at);
        break;
    }
  }
  return out;
}


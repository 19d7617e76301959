// textDocument/definition in spec files: from a spec line (an operation, or the model name) to the code it is
// bound to; from the path in `model NAME in "path"` to the code file.

import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import { Range } from '../core/graph';
import { codeRangeOf, specTargetAt } from './specNavigation';

export function definition(analysis: FileAnalysis | undefined, params: DefinitionParams): Location | null {
  const target = specTargetAt(analysis, params.position);
  if (!target || !target.binding.codePath || !target.binding.code) return null;
  const uri = target.binding.codePath;
  if (target.codeNode) return { uri, range: codeRangeOf(target.codeNode) };
  // The model name, the path, or an op the code lacks: go to the code model itself.
  return { uri, range: target.binding.code.nameRange ?? Range.empty };
}

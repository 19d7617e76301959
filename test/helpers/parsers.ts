// The tree-sitter parsers, loaded once for the whole test run.

import type { ParserSet } from '../../server/src/core/analyze';
import { loadParsers } from '../../server/src/parsing/loadParsers';

export function parsers(): Promise<ParserSet> {
  return loadParsers();
}

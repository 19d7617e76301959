// Loads web-tree-sitter and the Python, JavaScript and TypeScript grammars once per process. The WASM files sit in
// dist/wasm beside the bundle (and in the VSIX); when running from sources they come from node_modules.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { ParserSet } from '../core/analyze';

let loading: Promise<ParserSet> | undefined;

function wasmPath(file: string, packageName: string): string {
  const bundled = join(__dirname, 'wasm', file);
  if (existsSync(bundled)) return bundled;
  const sibling = join(__dirname, '..', 'dist', 'wasm', file);
  if (existsSync(sibling)) return sibling;
  return require.resolve(`${packageName}/${file}`);
}

/** Resolves to the parsers; a grammar that fails to load is left out rather than failing the whole server. */
export function loadParsers(): Promise<ParserSet> {
  loading ??= (async () => {
    await Parser.init({ locateFile: () => wasmPath('web-tree-sitter.wasm', 'web-tree-sitter') });
    const make = async (file: string, pkg: string): Promise<Parser | undefined> => {
      try {
        const language = await Language.load(wasmPath(file, pkg));
        const parser = new Parser();
        parser.setLanguage(language);
        return parser;
      } catch {
        return undefined;
      }
    };
    const [python, javascript, typescript] = await Promise.all([
      make('tree-sitter-python.wasm', 'tree-sitter-python'),
      make('tree-sitter-javascript.wasm', 'tree-sitter-javascript'),
      make('tree-sitter-typescript.wasm', 'tree-sitter-typescript'),
    ]);
    return { python, javascript, typescript };
  })();
  return loading;
}

// Resolves JavaScript and TypeScript imports of workspace files for the CLI and the language server:
// `import { denseBlock } from './blocks.js'`, `require('../heads')`, a folder's `index.ts`. Only paths are
// followed (`./`, `../`, `/`); a package name (`@tensorflow-models/mobilenet`) is never looked up in node_modules,
// so what comes from a package stays a named opaque block.

import { dirname, resolve } from 'node:path';
import type { ResolvedModule } from '../core/imports';

/** Extensions tried for a specifier written without one, in the order Node and TypeScript try them. */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** A specifier that names a file rather than a package. */
const RELATIVE = /^\.{1,2}(\/|$)|^\//;

/** Source files this resolver answers for: the importing file decides which language's rules apply. */
export const JS_SOURCE = /\.(m|c)?[jt]sx?$/i;

/**
 * The workspace file `specifier` names from the file `from` (absolute), read through `read`; undefined for a
 * package or a path that does not exist. TypeScript's ESM convention (`./blocks.js` naming `blocks.ts`) is honoured.
 */
export function resolveJsModule(specifier: string, from: string, read: (absolutePath: string) => ResolvedModule | undefined): ResolvedModule | undefined {
  if (!RELATIVE.test(specifier)) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates: string[] = [base];
  const written = /\.(m|c)?jsx?$/i.exec(base);
  if (written) {
    // `./blocks.js` in a TypeScript project names `blocks.ts` (`.mjs` → `.mts`, `.cjs` → `.cts`, `.jsx` → `.tsx`).
    const stem = base.slice(0, -written[0].length);
    const ts = written[0].toLowerCase().replace('js', 'ts');
    candidates.push(stem + ts);
  }
  for (const ext of EXTENSIONS) candidates.push(base + ext);
  for (const ext of EXTENSIONS) candidates.push(resolve(base, `index${ext}`));
  for (const path of candidates) {
    if (path === from) continue;
    const found = read(path);
    if (found) return found;
  }
  return undefined;
}

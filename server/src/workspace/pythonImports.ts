// Resolves imports to workspace files for the CLI and the language server: Python's `from .blocks import
// ResBlock` next to the importing file and `from models.layers import *` from the workspace root or a parent folder
// of the importing file; for a JavaScript or TypeScript file, `./blocks.js` and `require('../heads')` (see
// jsImports.ts). The core asks through an ImportResolver and never touches the file system itself.

import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ImportResolver, ResolvedModule } from '../core/imports';
import { JS_SOURCE, resolveJsModule } from './jsImports';

/** Files larger than this are not read for imports. */
const MAX_MODULE_SIZE = 1_000_000;

/**
 * A resolver over the disk. `roots` are folders absolute imports may start from (the working directory, the
 * workspace folders); the importing file's own folder and its parents are always tried too. `overlay` supplies
 * text for files that are open and unsaved, keyed by absolute path.
 */
export function createImportResolver(roots: readonly string[], cwd = process.cwd(), overlay?: (absolutePath: string) => string | undefined): ImportResolver {
  const cache = new Map<string, ResolvedModule | null>();
  const read = (path: string): ResolvedModule | undefined => {
    const cached = cache.get(path);
    if (cached !== undefined) return cached ?? undefined;
    let found: ResolvedModule | null = null;
    const open = overlay?.(path);
    if (open !== undefined) found = { path, text: open };
    else {
      try {
        const stat = statSync(path, { throwIfNoEntry: false });
        if (stat?.isFile() && stat.size <= MAX_MODULE_SIZE) found = { path, text: readFileSync(path, 'utf8') };
      } catch {
        found = null;
      }
    }
    cache.set(path, found);
    return found ?? undefined;
  };
  const inFolder = (folder: string, parts: readonly string[]): ResolvedModule | undefined => {
    if (parts.length === 0) return read(join(folder, '__init__.py'));
    const base = join(folder, ...parts);
    return read(`${base}.py`) ?? read(join(base, '__init__.py'));
  };
  return (moduleName, fromPath) => {
    const from = resolve(cwd, fromPath);
    // A JavaScript or TypeScript file imports by path; its specifiers follow Node's and TypeScript's rules.
    if (JS_SOURCE.test(from)) return resolveJsModule(moduleName, from, read);
    const dots = /^\.*/.exec(moduleName)?.[0].length ?? 0;
    const parts = moduleName.slice(dots).split('.').filter((p) => p !== '');
    if (dots > 0) {
      // `from .blocks import X` is relative to the importing file's package; each further dot goes one folder up.
      let folder = dirname(from);
      for (let i = 1; i < dots; i++) folder = dirname(folder);
      return inFolder(folder, parts);
    }
    if (parts.length === 0) return undefined;
    const tried = new Set<string>();
    let folder = dirname(from);
    for (let hops = 0; hops < 16 && !tried.has(folder); hops++) {
      tried.add(folder);
      const hit = inFolder(folder, parts);
      if (hit) return hit;
      folder = dirname(folder);
    }
    for (const root of roots) {
      const hit = inFolder(resolve(cwd, root), parts);
      if (hit) return hit;
    }
    return undefined;
  };
}

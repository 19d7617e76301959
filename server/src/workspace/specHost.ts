// The CLI's SpecHost: resolves the paths specs and code comments name (relative to the file that names them) and
// reads them from disk. Keys are paths as the CLI prints them: relative to the working directory when inside it.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SpecHost } from '../core/spec/analyzeSpec';
import { displayPath } from './files';

/** A file's text, or undefined when it cannot be read. */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function diskSpecHost(cwd: string): SpecHost {
  return {
    resolve: (from, relative) => displayPath(resolve(cwd, dirname(from), relative), cwd),
    read: (path) => readIfExists(resolve(cwd, path)),
  };
}

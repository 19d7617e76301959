// Finding and reading the files the CLI audits: walks folders (skipping dependencies, VCS and virtual envs),
// maps extensions to languages, and reads text as UTF-8 without ever writing.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Language } from '../core/graph';
import { languageOfPath } from '../core/languages';
import { isNotebookPath } from '../core/notebook';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache', 'site-packages', '.tools', '.ipynb_checkpoints']);

/** The language of a file the CLI audits; TypeScript declaration files are not models. */
export function languageOf(path: string): Language | undefined {
  return path.endsWith('.d.ts') ? undefined : languageOfPath(path);
}

export class UsageError extends Error {}

/** Whether the CLI audits this file: a model file, a spec or a Jupyter notebook. */
export function isAuditable(path: string): boolean {
  return languageOf(path) !== undefined || isNotebookPath(path);
}

/** Expands files and folders into the auditable files (notebooks included) under them, sorted, each once. */
export function collectFiles(paths: readonly string[], cwd: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 64) return;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (entries.includes('pyvenv.cfg')) return; // a Python virtual environment
    for (const name of entries) {
      const full = join(dir, name);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full, depth + 1);
      } else if (stat.isFile() && isAuditable(name)) {
        found.add(full);
      }
    }
  };
  for (const p of paths) {
    const full = resolve(cwd, p);
    if (!existsSync(full)) throw new UsageError(`${p}: no such file or folder`);
    const stat = statSync(full);
    if (stat.isDirectory()) walk(full, 0);
    else if (isAuditable(full)) found.add(full);
    else throw new UsageError(`${p}: not a model file (expected .py, .ipynb, .js, .ts, .mjs, .cjs or .mspec)`);
  }
  return [...found].sort();
}

export function displayPath(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel && !rel.startsWith('..') ? rel : full;
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

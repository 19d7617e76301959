// Finding and reading the files the CLI audits: walks folders (skipping dependencies, VCS and virtual envs),
// maps extensions to languages, and reads text as UTF-8 without ever writing.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Language } from '../core/graph';
import { languageOfPath } from '../core/languages';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache', 'site-packages', '.tools']);

/** The language of a file the CLI audits; TypeScript declaration files are not models. */
export function languageOf(path: string): Language | undefined {
  return path.endsWith('.d.ts') ? undefined : languageOfPath(path);
}

export class UsageError extends Error {}

/** Expands files and folders into the auditable files under them, sorted, each once. */
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
      } else if (stat.isFile() && languageOf(name)) {
        found.add(full);
      }
    }
  };
  for (const p of paths) {
    const full = resolve(cwd, p);
    if (!existsSync(full)) throw new UsageError(`${p}: no such file or folder`);
    const stat = statSync(full);
    if (stat.isDirectory()) walk(full, 0);
    else if (languageOf(full)) found.add(full);
    else throw new UsageError(`${p}: not a model file (expected .py, .js, .ts, .mjs, .cjs or .mspec)`);
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

// Finds and reads a file's project configuration (`.model-audit.json`, or `[tool.model-audit]` in `pyproject.toml`)
// for the CLI and the language server alike: the nearest one walking up from the file's folder, stopping at the
// project root (a folder with pyproject.toml or .git). Reads only; results are cached per folder until cleared.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_FILE_NAMES, type ProjectConfig, parseProjectConfig } from '../core/config';

export interface FoundConfig {
  /** The configuration file used, if any. */
  readonly path?: string;
  readonly config: ProjectConfig;
}

const NONE: FoundConfig = { config: { options: {}, problems: [], found: false } };

export class ProjectConfigs {
  private readonly byDir = new Map<string, FoundConfig>();

  /** The configuration that applies to a file (by its absolute path). */
  forFile(file: string): FoundConfig {
    return this.forDir(dirname(file), 0);
  }

  clear(): void {
    this.byDir.clear();
  }

  private forDir(dir: string, depth: number): FoundConfig {
    const cached = this.byDir.get(dir);
    if (cached) return cached;
    let result: FoundConfig | undefined;
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        result = { path, config: { options: {}, problems: [{ message: `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }], found: true } };
        break;
      }
      const config = parseProjectConfig(name, text);
      if (config.found) {
        result = { path, config };
        break;
      }
    }
    if (!result) {
      const atRoot = existsSync(join(dir, 'pyproject.toml')) || existsSync(join(dir, '.git')) || dirname(dir) === dir || depth > 64;
      result = atRoot ? NONE : this.forDir(dirname(dir), depth + 1);
    }
    this.byDir.set(dir, result);
    return result;
  }
}

/** One line per problem, `path:line: message`, for stderr or a log. */
export function describeConfigProblems(found: FoundConfig, show: (path: string) => string = (path) => path): string[] {
  return found.config.problems.map((p) => `${found.path ? show(found.path) : 'configuration'}${p.line !== undefined ? `:${p.line + 1}` : ''}: ${p.message}`);
}

// The project configuration: per-rule severity and enablement from `.model-audit.json` or `[tool.model-audit]` in
// `pyproject.toml`, read the same way by the CLI and the language server. Pure: the edges read the files and hand
// the text here; this turns it into AnalysisOptions and a list of problems (never an exception).
//
//   .model-audit.json                      pyproject.toml
//   { "rules": { "MA001": "error",         [tool.model-audit]
//                "unused-layer": "off" },  ignore = ["MA010"]
//     "ignore": ["MA010"],                 max-file-size = 2000000
//     "maxFileSize": 2000000 }             [tool.model-audit.rules]
//                                          MA001 = "error"

import { parse as parseToml } from 'smol-toml';
import type { AnalysisOptions, RuleSetting } from './analyze';
import { CORE_CODES } from './codes';
import { ruleFor } from './rules/registry';

/** The files a project may configure Model Audit in, in the order they are looked for (the first found wins). */
export const CONFIG_FILE_NAMES = ['.model-audit.json', 'pyproject.toml'] as const;

export interface ConfigProblem {
  readonly message: string;
  /** 0-based line of the problem, when known. */
  readonly line?: number;
}

export interface ProjectConfig {
  /** The options to analyse with; `rules` is keyed by code (`MA001`), whatever the file used. */
  readonly options: AnalysisOptions;
  readonly problems: readonly ConfigProblem[];
  /** False when the file has no Model Audit section (a pyproject.toml for other tools): look no further, but nothing is set. */
  readonly found: boolean;
}

const SETTINGS: Readonly<Record<string, RuleSetting>> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
  off: 'off',
};

/** Parses a configuration file by its name (`.model-audit.json` or `pyproject.toml`). */
export function parseProjectConfig(fileName: string, text: string): ProjectConfig {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  if (base === 'pyproject.toml') return parsePyprojectConfig(text);
  return parseJsonConfig(text);
}

/** `.model-audit.json`: `{ "rules": { CODE_OR_NAME: SEVERITY | "off" | false }, "ignore": [CODE…], "maxFileSize": N }`. */
export function parseJsonConfig(text: string): ProjectConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { options: {}, problems: [{ message: `.model-audit.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}` }], found: true };
  }
  return fromObject(data, '.model-audit.json', { maxFileSize: 'maxFileSize' });
}

/** `pyproject.toml`: the `[tool.model-audit]` table, with `rules`, `ignore` and `max-file-size`. */
export function parsePyprojectConfig(text: string): ProjectConfig {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const line = typeof (error as { line?: unknown }).line === 'number' ? (error as { line: number }).line - 1 : undefined;
    return { options: {}, problems: [{ message: `pyproject.toml does not parse: ${firstLine(error)}`, line }], found: false };
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  const section = tool?.['model-audit'] ?? tool?.model_audit;
  if (section === undefined) return { options: {}, problems: [], found: false };
  return fromObject(section, '[tool.model-audit]', { maxFileSize: 'max-file-size' });
}

function fromObject(data: unknown, where: string, keys: { maxFileSize: string }): ProjectConfig {
  const problems: ConfigProblem[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { options: {}, problems: [{ message: `${where} must be a table of settings.` }], found: true };
  }
  const obj = data as Record<string, unknown>;
  const rules: Record<string, RuleSetting> = {};
  const ignore = obj.ignore;
  if (ignore !== undefined) {
    if (!Array.isArray(ignore)) problems.push({ message: `${where}: \`ignore\` must be a list of rule codes or names.` });
    else for (const key of ignore) setRule(rules, key, 'off', where, problems);
  }
  const table = obj.rules;
  if (table !== undefined) {
    if (typeof table !== 'object' || table === null || Array.isArray(table)) {
      problems.push({ message: `${where}: \`rules\` must map rule codes or names to a severity or "off".` });
    } else {
      for (const [key, value] of Object.entries(table)) setRule(rules, key, value, where, problems);
    }
  }
  let maxFileSize: number | undefined;
  const size = obj[keys.maxFileSize];
  if (size !== undefined) {
    if (typeof size === 'number' && Number.isFinite(size) && size >= 1000) maxFileSize = size;
    else problems.push({ message: `${where}: \`${keys.maxFileSize}\` must be a number of characters, at least 1000.` });
  }
  for (const key of Object.keys(obj)) {
    if (key !== 'rules' && key !== 'ignore' && key !== keys.maxFileSize) problems.push({ message: `${where}: unknown setting \`${key}\` (known: rules, ignore, ${keys.maxFileSize}).` });
  }
  const options: AnalysisOptions = { ...(Object.keys(rules).length > 0 ? { rules } : {}), ...(maxFileSize !== undefined ? { maxFileSize } : {}) };
  return { options, problems, found: true };
}

function setRule(rules: Record<string, RuleSetting>, key: unknown, value: unknown, where: string, problems: ConfigProblem[]): void {
  if (typeof key !== 'string') {
    problems.push({ message: `${where}: rule keys must be codes or names, not ${JSON.stringify(key)}.` });
    return;
  }
  // Every code or name in the table of codes (rules included); the probes' MP codes live outside the core, so they go
  // by pattern.
  const code = CORE_CODES.find((c) => c.code === key.toUpperCase() || c.name === key.toLowerCase())?.code ?? (/^MP\d{3}$/i.test(key) ? key.toUpperCase() : undefined);
  if (!code) {
    problems.push({ message: `${where}: unknown rule \`${key}\`.` });
    return;
  }
  const setting = value === false ? 'off' : typeof value === 'string' ? SETTINGS[value.toLowerCase()] : undefined;
  if (value === true) return;
  if (!setting) {
    problems.push({ message: `${where}: \`${key}\` must be one of error, warning, information, hint or off, not ${JSON.stringify(value)}.` });
    return;
  }
  rules[code] = setting;
}

/**
 * Combines rule settings, later layers winning: e.g. editor settings under a project file, or a project file under
 * command-line flags. Keys are normalized to codes.
 */
export function mergeRuleSettings(...layers: (Readonly<Record<string, RuleSetting>> | undefined)[]): Record<string, RuleSetting> {
  const merged: Record<string, RuleSetting> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) merged[ruleFor(key)?.code ?? key] = value;
  }
  return merged;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

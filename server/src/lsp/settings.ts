// The server's typed view of the `modelAudit.*` settings (declared in package.json contributes.configuration),
// fetched per resource from the client and cached until the client says they changed.

import type { Connection } from 'vscode-languageserver/node';
import type { RuleSetting } from '../core/analyze';

export interface Settings {
  readonly enable: boolean;
  readonly codeLens: { readonly enable: boolean };
  readonly maxFileSize: number;
  readonly rules: Readonly<Record<string, RuleSetting>>;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  codeLens: { enable: true },
  maxFileSize: 1_000_000,
  rules: {},
  logLevel: 'info',
};

/** Settings keys the server reads; a test checks they match package.json. */
export const SETTING_KEYS = ['enable', 'codeLens.enable', 'maxFileSize', 'rules', 'logLevel'] as const;

function merge(raw: unknown): Settings {
  const r = (raw ?? {}) as Partial<Record<string, unknown>>;
  const codeLens = (r.codeLens ?? {}) as Partial<Record<string, unknown>>;
  const rules: Record<string, RuleSetting> = {};
  if (r.rules && typeof r.rules === 'object') {
    for (const [code, value] of Object.entries(r.rules as Record<string, unknown>)) {
      if (value === 'off' || value === 'error' || value === 'warning' || value === 'information' || value === 'hint') rules[code] = value;
    }
  }
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    codeLens: { enable: typeof codeLens.enable === 'boolean' ? codeLens.enable : DEFAULT_SETTINGS.codeLens.enable },
    maxFileSize: typeof r.maxFileSize === 'number' && r.maxFileSize > 0 ? r.maxFileSize : DEFAULT_SETTINGS.maxFileSize,
    rules,
    logLevel: r.logLevel === 'error' || r.logLevel === 'warn' || r.logLevel === 'debug' ? r.logLevel : 'info',
  };
}

export class SettingsCache {
  private readonly cache = new Map<string, Promise<Settings>>();
  private supported = false;

  constructor(private readonly connection: Connection) {}

  setSupported(supported: boolean): void {
    this.supported = supported;
  }

  get(uri: string): Promise<Settings> {
    if (!this.supported) return Promise.resolve(DEFAULT_SETTINGS);
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'modelAudit' })
        .then(merge, () => DEFAULT_SETTINGS);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  clear(): void {
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

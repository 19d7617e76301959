// Guards the architecture's invariants: the analysis core stays pure (no LSP, VS Code, file system or processes),
// and the server reads exactly the settings package.json declares.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_KEYS } from '../server/src/lsp/settings';

const CORE = join(__dirname, '..', 'server', 'src', 'core');
const FORBIDDEN = /from\s+['"](vscode|vscode-languageserver[^'"]*|vscode-languageclient[^'"]*|node:fs|fs|node:child_process|child_process|node:worker_threads|worker_threads)['"]|require\(['"](fs|node:fs|child_process|node:child_process)['"]\)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('architecture', () => {
  it('the analysis core imports nothing from LSP, VS Code, the file system or processes', () => {
    const offenders = files(CORE).filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('the server reads exactly the settings package.json declares', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    const declared = Object.keys(manifest.contributes.configuration.properties).map((k: string) => k.replace(/^modelAudit\./, '')).filter((k: string) => k !== 'trace.server');
    assert.deepEqual([...declared].sort(), [...SETTING_KEYS].sort());
  });
});

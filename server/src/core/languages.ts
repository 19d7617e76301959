// Which language a file is, by its extension: the files Model Audit reads (the CLI walks these, the server analyses
// them), and the extra ones it reads only when a model imports them.

import type { Language } from './graph';

const LANGUAGES: Readonly<Record<string, Language>> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  mspec: 'model-spec',
};

/** Read when a model imports them (`import { block } from './blocks'` may name any of these), not on their own. */
const IMPORTED_ONLY: Readonly<Record<string, Language>> = { jsx: 'javascript', tsx: 'typescript', mts: 'typescript', cts: 'typescript' };

function extension(path: string): string | undefined {
  return /\.([A-Za-z]+)$/.exec(path)?.[1].toLowerCase();
}

/** The language of a file Model Audit audits (`.py`, `.js`/`.mjs`/`.cjs`, `.ts`, `.mspec`); undefined for others. */
export function languageOfPath(path: string): Language | undefined {
  const ext = extension(path);
  return ext === undefined ? undefined : LANGUAGES[ext];
}

/** The language an imported module is read in: an audited file's, or JSX and module-flavoured TypeScript. */
export function languageOfImport(path: string): Language | undefined {
  const ext = extension(path);
  return ext === undefined ? undefined : LANGUAGES[ext] ?? IMPORTED_ONLY[ext];
}

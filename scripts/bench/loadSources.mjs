// Lets a benchmark script (plain Node ESM) load the project's TypeScript sources directly, through tsx, so it
// measures the code as it stands without a build. `loadSource('server/src/core/analyze.ts')` returns the module.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/cjs/api';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

register();
const require = createRequire(join(root, 'package.json'));

/** The module at `path` (relative to the repository root), loaded through tsx. */
export const loadSource = (path) => require(join(root, path));

// Builds the extension and the CLI into dist/ with esbuild, and copies the tree-sitter WASM files beside them so
// the bundles (and the VSIX) run with no node_modules.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // web-tree-sitter's ESM build finds its WASM through import.meta.url, which a CommonJS bundle lacks.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  absWorkingDir: root,
};

mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const wasm of [
  'web-tree-sitter/web-tree-sitter.wasm',
  'tree-sitter-python/tree-sitter-python.wasm',
  'tree-sitter-javascript/tree-sitter-javascript.wasm',
  'tree-sitter-typescript/tree-sitter-typescript.wasm',
]) {
  copyFileSync(require.resolve(wasm), join(root, 'dist', 'wasm', wasm.split('/')[1]));
}
// The probe worker's WASM backend (server/src/probe/backends.ts looks for them in dist/wasm first).
for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${wasm}`), join(root, 'dist', 'wasm', wasm));
}

// The equation panel's KaTeX stylesheet and fonts (the math itself is typeset by the extension), so the webview
// works offline and loads nothing from the network.
const katexDist = join(dirname(require.resolve('katex/package.json')), 'dist');
mkdirSync(join(root, 'dist', 'katex', 'fonts'), { recursive: true });
copyFileSync(join(katexDist, 'katex.min.css'), join(root, 'dist', 'katex', 'katex.min.css'));
for (const font of readdirSync(join(katexDist, 'fonts')).filter((f) => f.endsWith('.woff2'))) {
  copyFileSync(join(katexDist, 'fonts', font), join(root, 'dist', 'katex', 'fonts', font));
}

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' }),
  // The probe worker runs in its own process (child_process.fork of dist/probeWorker.js); the native TensorFlow
  // packages are optional and loaded at run time when installed.
  build({ ...common, entryPoints: ['server/src/probe/worker.ts'], outfile: 'dist/probeWorker.js', external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] }),
]);
if (!watch) console.log('built dist/extension.js, dist/cli.js, dist/probeWorker.js, dist/wasm/');

// Checks the extension as code-server unpacked it from the VSIX: every file its manifest points at is there (main,
// icon, grammars, language configurations, ...), so is the server the client starts, and nothing that esbuild
// already bundled or that is source (node_modules, .ts, source maps) came along.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function referencedFiles(manifest) {
  const files = [manifest.main, manifest.browser, manifest.icon, 'dist/cli.js'];
  const contributes = manifest.contributes ?? {};
  for (const language of contributes.languages ?? []) {
    files.push(language.configuration);
    if (typeof language.icon === 'string') files.push(language.icon);
    else if (language.icon) files.push(language.icon.light, language.icon.dark);
  }
  for (const grammar of contributes.grammars ?? []) files.push(grammar.path);
  for (const snippet of contributes.snippets ?? []) files.push(snippet.path);
  for (const schema of contributes.jsonValidation ?? []) {
    if (!/^[a-z]+:/.test(schema.url)) files.push(schema.url);
  }
  for (const command of contributes.commands ?? []) {
    if (typeof command.icon === 'string' && !command.icon.startsWith('$(')) files.push(command.icon);
    else if (command.icon?.light) files.push(command.icon.light, command.icon.dark);
  }
  return [...new Set(files.filter(Boolean).map((f) => f.replace(/^\.\//, '')))];
}

function listFiles(dir, root = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, root) : [relative(root, path)];
  });
}

/** Throws with every problem found; returns a one-line summary (file count and size) otherwise. */
export function checkInstalledExtension(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const problems = [];
  for (const file of referencedFiles(manifest)) {
    if (!existsSync(join(dir, file))) problems.push(`missing ${file} (referenced by package.json)`);
  }
  const files = listFiles(dir).filter((f) => f !== '.vsixmanifest');
  for (const file of files) {
    if (/(^|\/)node_modules\//.test(file) || /\.(ts|map)$/.test(file) && !file.endsWith('.d.ts')) {
      problems.push(`should not ship ${file}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return `${files.length} files, ${(bytes / 1e6).toFixed(1)} MB unpacked`;
}

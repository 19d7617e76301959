// Reads public repositories from the snapshots the search tool's `fetch` brought onto this machine
// (/work/.mirror/OWNER+NAME/repo, a bare git directory, no work tree). The benchmarks that measure Model Audit on
// code nobody here wrote (bench:corpus, bench:bugs, bench:probes) read through this module and never copy that
// code into the repository. A snapshot lacks its largest files: a blob that is not there is passed over.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where snapshots live; MODEL_AUDIT_MIRROR overrides it. */
export const MIRROR_ROOT = process.env.MODEL_AUDIT_MIRROR ?? '/work/.mirror';

/** The git directory of `owner/name`, or undefined when it has not been fetched. */
export function mirrorOf(repo) {
  const dir = join(MIRROR_ROOT, repo.replace('/', '+'), 'repo');
  return existsSync(dir) ? dir : undefined;
}

/**
 * The text files of `repo` at HEAD whose paths pass `keep(path)`, as { path, text }, sorted by path. Files over
 * `maxBytes`, absent blobs and files with a NUL byte are left out. Returns undefined when the repo is not fetched.
 */
export function readRepoFiles(repo, keep, { maxBytes = 2_000_000 } = {}) {
  const git = mirrorOf(repo);
  if (!git) return undefined;
  const listing = execFileSync('git', ['--git-dir', git, 'ls-tree', '-r', '-l', '-z', 'HEAD'], { maxBuffer: 1 << 28 })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  const wanted = [];
  for (const row of listing) {
    const tab = row.indexOf('\t');
    const [, type, sha, size] = row.slice(0, tab).trim().split(/\s+/);
    const path = row.slice(tab + 1);
    if (type !== 'blob' || !keep(path)) continue;
    if (Number(size) > maxBytes) continue;
    wanted.push({ path, sha });
  }
  if (wanted.length === 0) return [];
  const out = spawnSync('git', ['--git-dir', git, 'cat-file', '--batch'], {
    input: wanted.map((w) => w.sha).join('\n') + '\n',
    maxBuffer: 1 << 30,
  }).stdout;
  const files = [];
  let at = 0;
  for (const w of wanted) {
    const nl = out.indexOf(0x0a, at);
    const header = out.subarray(at, nl).toString('utf8');
    at = nl + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    const body = out.subarray(at, at + size);
    at += size + 1;
    if (body.includes(0)) continue;
    files.push({ path: w.path, text: body.toString('utf8') });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

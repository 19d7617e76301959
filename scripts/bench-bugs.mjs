// `npm run bench:bugs`: how many of the bugs that users really made Model Audit finds, and how often it still
// complains once they were fixed. It reads public buggy/fixed program pairs from the fetched snapshots (never copied
// into this repository), runs the built CLI on both versions, and prints recall and the fixed-flagged share per
// source and overall, then every structural miss by class, so the figures can be reproduced and argued with.
//
// Sources (scripts/bench/mirror.mjs reads them):
//   - Wardat-ISU/DeepLocalize  Benchmark/GitHub/{Buggy Model,Correct Model}/PROJECT/… and
//                              Benchmark/StackOverflow/ID/{Buggy,Correct} {Code,Model}/*.py
//   - mohmehmo/defects4ml      bugs/NNN/{buggy,fixed}/…, each with a conf.ini naming its bug type
//   - neuralint/neuralint      sample_buggy_scripts/**: buggy programs only, so they give a recall figure of their
//                              own ("any counted finding"), outside the paired figures.
//
// Definitions (the README's "Benchmarks" section repeats them):
//   counted finding  a diagnostic whose code starts with MA or MT and whose severity is error or warning
//                    (information and hints are advice, not bug reports).
//   structural pair  a bug in the model, the loss, the output activation, the optimiser's learning rate or the input
//                    preprocessing, not an API/version crash. defects4ml: by its conf.ini bug_type (STRUCTURAL_TYPES
//                    below). DeepLocalize: by the changed lines (a changed line builds a layer, compiles, scales the
//                    data or encodes the labels: STRUCTURAL_LINE).
//   found            the buggy version has a counted finding within 3 lines of a line the fix changed (the buggy
//                    side of a `git diff --no-index -U0` hunk; a pure insertion counts the lines around it) and the
//                    fixed version has fewer findings of that code in that file.
//   fixed flagged    the fixed version of a changed file has any counted finding at all (the strict reading: a user
//                    of the fixed program sees it, even where the finding is right about code the fix left alone).
//   not judged true  fixed versions with a counted finding that is not in scripts/bench/judged.mjs, the list of
//                    findings a person read and judged to be true bugs left in the "fixed" program (unscaled pixels
//                    the fix never scaled, a softmax over one unit that the fix kept): the false-alarm share.
//   fix flagged      the narrower reading: the fixed version has a counted finding within 3 lines of a line the fix
//                    wrote (the fixed side of the hunks), i.e. the fix itself is reported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgedTrue } from './bench/judged.mjs';
import { readRepoFiles } from './bench/mirror.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench:bugs: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}
const verbose = process.argv.includes('--verbose');
// --keep DIR: write the pairs to DIR (DIR/N/{buggy,fixed}/…) and leave them there, to read the misses afterwards.
const keepAt = process.argv.indexOf('--keep');
const keep = keepAt >= 0 ? process.argv[keepAt + 1] : undefined;
const NEAR = 3;

/** defects4ml bug types that are about the model, the loss, activations, preprocessing or the learning rate. */
const STRUCTURAL_TYPES =
  /network architecture|network structure|activation|selection of loss|missing dense|missing flatten|preprocessing|weights initiali[sz]ation|learning rate|filter size/i;
/** A changed line that builds a layer, compiles, sets the optimiser, scales inputs or encodes labels. */
const STRUCTURAL_LINE =
  /\b(Dense|Conv[123]D|Conv[123]d|Linear|Flatten|Dropout|BatchNorm\w*|Activation|MaxPool\w*|Sequential|activation|loss|compile|optimizer|SGD|Adam|RMSprop|lr|learning_rate|kernel_initializer|init|to_categorical|softmax|sigmoid|relu|tanh|normali[sz]e|StandardScaler|MinMaxScaler)\b|\/\s*255|\.add\(/;

/** A coarse class for a pair, from its bug type or its changed lines, for the list of misses. */
function classOf(text) {
  if (/loss|crossentropy|mean_squared|mse|mae/i.test(text)) return 'loss';
  if (/learning rate|\blr\b|learning_rate/i.test(text)) return 'learning rate';
  if (/preprocess|\/\s*255|normali[sz]|scal|to_categorical/i.test(text)) return 'preprocessing';
  if (/activation|softmax|sigmoid|relu|tanh/i.test(text)) return 'activation';
  if (/flatten/i.test(text)) return 'flatten';
  if (/init/i.test(text)) return 'initialisation';
  return 'architecture';
}

// ----- pairs -----

/** Pairs of { source, id, structural, cls, files: [{ rel, buggy, fixed }], context: { buggy: [...], fixed: [...] } }. */
function deepLocalizePairs() {
  const files = readRepoFiles('Wardat-ISU/DeepLocalize', (p) => p.startsWith('Benchmark/') && p.endsWith('.py'));
  if (!files) return undefined;
  const groups = new Map();
  for (const f of files) {
    let m = /^Benchmark\/GitHub\/(Buggy|Correct) Model\/([^/]+)\/(.+)$/.exec(f.path);
    let key, side, rel;
    if (m) [key, side, rel] = [`github/${m[2]}`, m[1], m[3]];
    else {
      m = /^Benchmark\/StackOverflow\/(\d+)\/(Buggy|Correct) (?:Code|Model)\/(.+)$/.exec(f.path);
      if (!m) continue;
      [key, side, rel] = [`so/${m[1]}`, m[2], m[3]];
    }
    const g = groups.get(key) ?? { buggy: new Map(), fixed: new Map(), paths: new Map() };
    g[side === 'Buggy' ? 'buggy' : 'fixed'].set(rel, f.text);
    if (side !== 'Buggy') g.paths.set(rel, f.path);
    groups.set(key, g);
  }
  const pairs = [];
  for (const [key, g] of groups) {
    const changed = [];
    for (const [rel, text] of g.buggy) {
      const fixedRel = g.fixed.has(rel) ? rel : g.buggy.size === 1 && g.fixed.size === 1 ? [...g.fixed.keys()][0] : undefined;
      const fixed = fixedRel === undefined ? undefined : g.fixed.get(fixedRel);
      if (fixed !== undefined && fixed !== text) changed.push({ rel, buggy: text, fixed, repo: 'Wardat-ISU/DeepLocalize', fixedPath: g.paths.get(fixedRel) });
    }
    if (changed.length === 0) continue;
    pairs.push({ source: key.startsWith('so/') ? 'DeepLocalize (Stack Overflow)' : 'DeepLocalize (GitHub)', id: key, files: changed, context: g });
  }
  return pairs;
}

function defects4mlPairs() {
  const files = readRepoFiles('mohmehmo/defects4ml', (p) => /^bugs\/\d+\/((buggy|fixed)\/.*\.py|conf\.ini)$/.test(p));
  if (!files) return undefined;
  const groups = new Map();
  for (const f of files) {
    const m = /^bugs\/(\d+)\/(?:(buggy|fixed)\/(.+)|conf\.ini)$/.exec(f.path);
    const g = groups.get(m[1]) ?? { buggy: new Map(), fixed: new Map(), type: '' };
    if (m[2]) g[m[2]].set(m[3], f.text);
    else g.type = /^bug_type\s*=\s*(.+)$/m.exec(f.text)?.[1].trim() ?? '';
    groups.set(m[1], g);
  }
  const pairs = [];
  for (const [id, g] of groups) {
    const changed = [];
    for (const [rel, text] of g.buggy) {
      const fixed = g.fixed.get(rel);
      if (fixed !== undefined && fixed !== text) changed.push({ rel, buggy: text, fixed, repo: 'mohmehmo/defects4ml', fixedPath: `bugs/${id}/fixed/${rel}` });
    }
    if (changed.length === 0) continue;
    pairs.push({ source: 'defects4ml', id: `defects4ml/${id}`, files: changed, context: g, type: g.type });
  }
  return pairs;
}

// ----- diffs -----

/** The buggy-side lines (0-based) a fix touched, from `git diff --no-index -U0`. */
function changedLines(dir, rel) {
  const out = spawnSync('git', ['diff', '--no-index', '-U0', '--no-color', join(dir, 'buggy', rel), join(dir, 'fixed', rel)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  }).stdout;
  const lines = [];
  const fixedLines = [];
  const added = [];
  for (const row of out.split('\n')) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(row);
    if (m) {
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      // A pure insertion after line `start` is next to that line (1-based start → 0-based start - 1 and start).
      if (count === 0) lines.push(start - 1, start);
      for (let i = 0; i < count; i++) lines.push(start - 1 + i);
      const fixedStart = Number(m[3]);
      const fixedCount = m[4] === undefined ? 1 : Number(m[4]);
      if (fixedCount === 0) fixedLines.push(fixedStart - 1, fixedStart);
      for (let i = 0; i < fixedCount; i++) fixedLines.push(fixedStart - 1 + i);
    } else if ((row.startsWith('+') || row.startsWith('-')) && !row.startsWith('+++') && !row.startsWith('---')) {
      added.push(row.slice(1));
    }
  }
  return { lines, fixedLines, text: added.join('\n') };
}

// ----- run -----

const scratch = keep ?? mkdtempSync(join(tmpdir(), 'model-audit-bugs-'));
const sources = [deepLocalizePairs(), defects4mlPairs()];
if (sources.every((s) => s === undefined)) {
  console.error('bench:bugs: none of the benchmark snapshots is fetched (Wardat-ISU/DeepLocalize, mohmehmo/defects4ml)');
  process.exit(2);
}
const pairs = sources.flatMap((s) => s ?? []);
const targets = [];
pairs.forEach((pair, n) => {
  pair.dir = join(scratch, String(n));
  // Every Python file of both versions is written, so imports between them resolve; only changed files are checked.
  for (const side of ['buggy', 'fixed']) {
    for (const [rel, text] of pair.context[side]) {
      const path = join(pair.dir, side, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  for (const f of pair.files) {
    const diff = changedLines(pair.dir, f.rel);
    f.changed = diff.lines;
    f.fixedChanged = diff.fixedLines;
    f.diffText = diff.text;
    targets.push(join(pair.dir, 'buggy', f.rel), join(pair.dir, 'fixed', f.rel));
  }
  const allChanged = pair.files.map((f) => f.diffText).join('\n');
  pair.structural = pair.type !== undefined ? STRUCTURAL_TYPES.test(pair.type) : STRUCTURAL_LINE.test(allChanged);
  pair.cls = classOf(pair.type || allChanged);
});

const counted = (d) => /^M[AT]\d/.test(d.code) && (d.severity === 'error' || d.severity === 'warning');
const findings = new Map();
// One CLI run over every changed file of every pair (in chunks, to keep argument lists short).
for (let i = 0; i < targets.length; i += 200) {
  const run = spawnSync(process.execPath, [cli, 'check', ...targets.slice(i, i + 200), '--format', 'json', '--fail-on', 'never'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    cwd: scratch,
  });
  if (run.status !== 0) {
    console.error(`bench:bugs: the CLI failed (${run.status}): ${run.stderr.split('\n')[0]}`);
    process.exit(2);
  }
  for (const file of JSON.parse(run.stdout).files) {
    findings.set(join(scratch, file.path), file.diagnostics.filter(counted));
  }
}

for (const pair of pairs) {
  pair.found = [];
  pair.fixedFindings = [];
  pair.fixFindings = [];
  pair.falseFindings = [];
  for (const f of pair.files) {
    const fixedLines = f.fixed.split('\n');
    const buggy = findings.get(join(pair.dir, 'buggy', f.rel)) ?? [];
    const fixed = findings.get(join(pair.dir, 'fixed', f.rel)) ?? [];
    for (const d of buggy) {
      const line = d.range.start.line;
      const near = f.changed.some((c) => Math.abs(c - line) <= NEAR);
      const before = buggy.filter((b) => b.code === d.code).length;
      const after = fixed.filter((b) => b.code === d.code).length;
      if (near && after < before) pair.found.push(`${d.code} ${f.rel}:${line + 1}`);
    }
    for (const d of fixed) {
      const shown = `${d.code} ${f.rel}:${d.range.start.line + 1} ${d.message}`;
      pair.fixedFindings.push(shown);
      if (!judgedTrue(f.repo, f.fixedPath, d.code, fixedLines[d.range.start.line] ?? '')) pair.falseFindings.push(shown);
      if (f.fixedChanged.some((c) => Math.abs(c - d.range.start.line) <= NEAR)) pair.fixFindings.push(shown);
    }
  }
}
if (!keep) rmSync(scratch, { recursive: true, force: true });

// ----- report -----

const pct = (a, b) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)} %`);
function summary(label, list) {
  const structural = list.filter((p) => p.structural);
  const found = structural.filter((p) => p.found.length > 0).length;
  const flagged = list.filter((p) => p.fixedFindings.length > 0).length;
  const fixFlagged = list.filter((p) => p.fixFindings.length > 0).length;
  const falselyFlagged = list.filter((p) => p.falseFindings.length > 0).length;
  return {
    label, pairs: list.length, structural: structural.length, found, flagged, fixFlagged, falselyFlagged,
    recall: pct(found, structural.length), fixedFlagged: pct(flagged, list.length), fixFlaggedShare: pct(fixFlagged, list.length), falselyFlaggedShare: pct(falselyFlagged, list.length),
  };
}
const rows = [...new Set(pairs.map((p) => p.source))].map((s) => summary(s, pairs.filter((p) => p.source === s)));
rows.push(summary('overall', pairs));

// neuralint ships buggy programs without their fixes: a finding anywhere is all that can be asked of them.
const neuralint = readRepoFiles('neuralint/neuralint', (p) => p.startsWith('sample_buggy_scripts/') && p.endsWith('.py'));
let neuralintRow;
if (neuralint) {
  const dir = mkdtempSync(join(tmpdir(), 'model-audit-neuralint-'));
  const paths = neuralint.map((f, n) => {
    const path = join(dir, `${n}.py`);
    writeFileSync(path, f.text);
    return path;
  });
  const run = spawnSync(process.execPath, [cli, 'check', ...paths, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const flagged = JSON.parse(run.stdout).files.filter((f) => f.diagnostics.some(counted)).length;
  neuralintRow = { programs: neuralint.length, flagged, share: pct(flagged, neuralint.length) };
  rmSync(dir, { recursive: true, force: true });
}

console.log('Bug benchmark (counted: MA/MT findings at warning or error; found: near the fix and gone after it)\n');
console.log(['source'.padEnd(32), 'pairs', 'structural', 'found', 'recall', 'fixed flagged', ' fix flagged', 'not judged true'].join('  '));
for (const r of rows) {
  console.log(
    [r.label.padEnd(32), String(r.pairs).padStart(5), String(r.structural).padStart(10), String(r.found).padStart(5), r.recall.padStart(7), `${r.flagged} (${r.fixedFlagged})`.padStart(13), `${r.fixFlagged} (${r.fixFlaggedShare})`.padStart(12), `${r.falselyFlagged} (${r.falselyFlaggedShare})`.padStart(15)].join('  '),
  );
}
if (neuralintRow) console.log(`\nneuralint buggy samples (no fixed versions): ${neuralintRow.flagged} of ${neuralintRow.programs} flagged (${neuralintRow.share})`);

console.log('\nStructural misses by class:');
const misses = pairs.filter((p) => p.structural && p.found.length === 0);
const byClass = new Map();
for (const p of misses) byClass.set(p.cls, [...(byClass.get(p.cls) ?? []), p]);
for (const [cls, list] of [...byClass].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`  ${cls} (${list.length}): ${list.map((p) => p.id + (p.type ? ` [${p.type}]` : '')).join(', ')}`);
}
console.log('\nFound:');
for (const p of pairs.filter((q) => q.found.length > 0)) console.log(`  ${p.id}: ${p.found.join('; ')}`);
console.log('\nFixed versions flagged (* = near the fix, TRUE = judged true in scripts/bench/judged.mjs):');
for (const p of pairs.filter((q) => q.fixedFindings.length > 0)) {
  console.log(`  ${p.id}: ${p.fixedFindings.map((f) => `${p.falseFindings.includes(f) ? '' : 'TRUE '}${p.fixFindings.includes(f) ? `* ${f}` : f}`).join(' | ')}`);
}
if (verbose) {
  console.log('\nAll pairs:');
  for (const p of pairs) console.log(`  ${p.id} structural=${p.structural} class=${p.cls} files=${p.files.map((f) => f.rel).join(',')}${keep ? ` dir=${p.dir}` : ''}`);
}
console.log(`\n${JSON.stringify({ rows, neuralint: neuralintRow })}`);

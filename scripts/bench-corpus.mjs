// `npm run bench:corpus`: Model Audit on real public code. For each repository of scripts/bench/corpus.mjs (read from
// its fetched snapshot, never copied here) it prints the files analysed, the models found, the share of ops that are
// known (not opaque), the not-understood hints, every warning on the clean code (so a person can judge whether it is
// false), and the share of planted bugs found: scripts/bench/mutations.mjs rewrites the real source in memory at
// deterministic sites, and a planted bug counts as found when a new finding lands within 3 lines of it. The last
// line is the figures as JSON (`BENCH_CORPUS {…}`).
//
//   npm run bench:corpus -- [--repo SUBSTRING] [--sites N] [--verbose]
//     --repo     only rows whose label contains SUBSTRING (repeatable)
//     --sites    at most N sites per mutation and row, spread evenly over the row's sites (default 40; 0 = all)
//     --verbose  also list each model and each planted bug missed
//
// Runs through tsx, so it reads the analyzer's TypeScript sources directly (no build needed).

import { analyzeSource, ModuleMirrors } from '../server/src/core/analyze.ts';
import { ModelGraph } from '../server/src/core/graph.ts';
import { languageOfPath } from '../server/src/core/languages.ts';
import { NOT_UNDERSTOOD } from '../server/src/core/analyze.ts';
import { loadParsers } from '../server/src/parsing/loadParsers.ts';
import { createImportResolver } from '../server/src/workspace/pythonImports.ts';
import { CORPUS } from './bench/corpus.mjs';
import { judgedTrue } from './bench/judged.mjs';
import { readRepoFiles } from './bench/mirror.mjs';
import { KERAS_MUTATIONS } from './bench/kerasMutations.mjs';
import { MUTATIONS as PYTORCH_MUTATIONS } from './bench/mutations.mjs';

const MUTATIONS = [...PYTORCH_MUTATIONS, ...KERAS_MUTATIONS];

const NEAR = 3;
const args = process.argv.slice(2);
const option = (name) => {
  const values = [];
  for (let i = 0; i < args.length; i++) if (args[i] === name && i + 1 < args.length) values.push(args[++i]);
  return values;
};
const only = option('--repo');
const maxSites = Number(option('--sites')[0] ?? 40);
const verbose = args.includes('--verbose');

const IMPORTS_TORCH = /^[ \t]*(?:import|from)[ \t]+(?:torch|pytorch_lightning|lightning)\b/m;
const IMPORTS_KERAS = /^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras|tf_keras)\b/m;

/** The frameworks a file's mutations apply to: its models' frameworks and those its imports name. */
function frameworksOf(file, analysis) {
  const out = new Set(analysis.models.map((m) => m.graph.framework));
  if (file.language === 'python') {
    if (IMPORTS_TORCH.test(file.text)) out.add('pytorch');
    if (IMPORTS_KERAS.test(file.text)) out.add('keras');
  } else out.add('tfjs');
  return out;
}

const isWarning = (f) => f.severity === 'error' || f.severity === 'warning';
const counts = (f) => f.code !== NOT_UNDERSTOOD && f.severity !== 'hint';
const keyOf = (f) => `${f.code}@${f.range.start.line}`;
const near = (f, line) => [f.range, ...(f.related ?? []).filter((r) => !r.path).map((r) => r.range)].some((r) => Math.abs(r.start.line - line) <= NEAR || (r.start.line <= line && line <= r.end.line));
const pct = (k, t) => (t === 0 ? '—' : `${((100 * k) / t).toFixed(1)}%`);

/** At most `n` of `items`, spread evenly, so the choice is deterministic and covers the whole row. */
function spread(items, n) {
  if (n <= 0 || items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

const parsers = await loadParsers();
const rows = [];
const byMutation = new Map(MUTATIONS.map((m) => [m.id, { sites: 0, found: 0 }]));
for (const entry of CORPUS) {
  const label = entry.label ?? entry.repo;
  if (only.length > 0 && !only.some((o) => label.includes(o))) continue;
  const files = readRepoFiles(entry.repo, (p) => entry.keep(p) && languageOfPath(p) !== undefined);
  if (!files) {
    console.log(`\n## ${label}: not fetched (no snapshot under the mirror), skipped`);
    rows.push({ repo: label, missing: true });
    continue;
  }
  const root = `/corpus/${entry.repo.replace('/', '+')}`;
  const texts = new Map(files.map((f) => [`${root}/${f.path}`, f.text]));
  const resolveImport = createImportResolver([root], root, (absolute) => texts.get(absolute));
  const modules = new ModuleMirrors();
  const analyse = (file, text) => analyzeSource({ file: { ...file, text }, parsers, resolveImport, modules });

  const row = { repo: label, files: 0, models: 0, known: 0, ops: 0, hints: 0, warnings: 0, falseWarnings: 0, judgedTrue: 0, planted: {}, plantedSites: 0, plantedFound: 0 };
  const warningLines = [];
  const modelLines = [];
  const allSites = new Map(MUTATIONS.map((m) => [m.id, []]));
  const clean = new Map();
  for (const f of files) {
    const file = { path: f.path, language: languageOfPath(f.path), text: f.text };
    let analysis;
    try {
      analysis = analyse(file, f.text);
    } catch (error) {
      warningLines.push(`  CRASH ${f.path}: ${error instanceof Error ? error.message : String(error)}`);
      row.crashes = (row.crashes ?? 0) + 1;
      continue;
    }
    clean.set(f.path, analysis);
    row.files++;
    const sourceLines = f.text.split('\n');
    for (const m of analysis.models) {
      const c = ModelGraph.coverage(m.graph);
      row.models++;
      row.known += c.known;
      row.ops += c.total;
      if (verbose) modelLines.push(`  ${f.path}:${m.graph.range.start.line + 1} ${m.graph.name} (${m.graph.framework}) ${c.known}/${c.total} known: ${m.equation.text.slice(0, 140)}`);
    }
    for (const finding of analysis.findings) {
      if (finding.code === NOT_UNDERSTOOD) row.hints++;
      if (!isWarning(finding)) continue;
      row.warnings++;
      const line = sourceLines[finding.range.start.line] ?? '';
      const judged = judgedTrue(entry.repo, f.path, finding.code, line);
      if (judged) row.judgedTrue++;
      else row.falseWarnings++;
      warningLines.push(`  ${judged ? 'TRUE ' : 'WARN '} ${f.path}:${finding.range.start.line + 1}: ${finding.code} ${finding.message.slice(0, 160)}\n          ${line.trim().slice(0, 120)}${judged ? `\n          judged true: ${judged.reason}` : ''}`);
    }
    const frameworks = frameworksOf(file, analysis);
    for (const mutation of MUTATIONS) {
      if (!mutation.frameworks.some((fw) => frameworks.has(fw))) continue;
      let sites = [];
      try {
        sites = mutation.sites({ path: f.path, text: f.text, analysis });
      } catch (error) {
        warningLines.push(`  MUTATION ${mutation.id} failed on ${f.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const site of sites) allSites.get(mutation.id).push({ file, ...site });
    }
  }

  const misses = [];
  for (const mutation of MUTATIONS) {
    const chosen = spread(allSites.get(mutation.id), maxSites);
    let found = 0;
    for (const site of chosen) {
      const before = new Set(clean.get(site.file.path).findings.filter(counts).map(keyOf));
      let after;
      try {
        after = analyse(site.file, site.mutated);
      } catch {
        after = { findings: [] };
      }
      const hit = after.findings.some((f) => counts(f) && !before.has(keyOf(f)) && near(f, site.line));
      if (hit) found++;
      else misses.push(`  MISS ${mutation.id} ${site.file.path}:${site.line + 1}: ${site.what}`);
    }
    row.planted[mutation.id] = { sites: chosen.length, of: allSites.get(mutation.id).length, found };
    row.plantedSites += chosen.length;
    row.plantedFound += found;
    const total = byMutation.get(mutation.id);
    total.sites += chosen.length;
    total.found += found;
  }
  rows.push(row);

  console.log(`\n## ${label}`);
  console.log(`  files ${row.files}, models ${row.models}, ops known ${pct(row.known, row.ops)} (${row.known}/${row.ops}), hints ${row.hints}, warnings ${row.warnings} (${row.falseWarnings} not judged true), planted bugs found ${row.plantedFound}/${row.plantedSites} ${pct(row.plantedFound, row.plantedSites)}`);
  for (const line of modelLines) console.log(line);
  for (const line of warningLines) console.log(line);
  for (const mutation of MUTATIONS) {
    const p = row.planted[mutation.id];
    if (p.of > 0) console.log(`  planted ${mutation.id.padEnd(20)} ${p.found}/${p.sites}${p.of > p.sites ? ` (of ${p.of} sites)` : ''}`);
  }
  if (verbose) for (const line of misses) console.log(line);
}

const present = rows.filter((r) => !r.missing);
const sum = (key) => present.reduce((s, r) => s + r[key], 0);
console.log('\n| repository | files | models | ops known | hints | warnings | false warnings | planted bugs found |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  if (r.missing) console.log(`| ${r.repo} | not fetched | | | | | | |`);
  else console.log(`| ${r.repo} | ${r.files} | ${r.models} | ${pct(r.known, r.ops)} | ${r.hints} | ${r.warnings} | ${r.falseWarnings} | ${r.plantedFound}/${r.plantedSites} (${pct(r.plantedFound, r.plantedSites)}) |`);
}
console.log(`| **all** | ${sum('files')} | ${sum('models')} | ${pct(sum('known'), sum('ops'))} | ${sum('hints')} | ${sum('warnings')} | ${sum('falseWarnings')} | ${sum('plantedFound')}/${sum('plantedSites')} (${pct(sum('plantedFound'), sum('plantedSites'))}) |`);
console.log('\nplanted bugs by mutation:');
for (const m of MUTATIONS) {
  const t = byMutation.get(m.id);
  console.log(`  ${m.id.padEnd(20)} ${t.found}/${t.sites} ${pct(t.found, t.sites)}  (${m.title})`);
}
const summary = {
  rows: rows.map((r) => (r.missing ? { repo: r.repo, missing: true } : { repo: r.repo, files: r.files, models: r.models, opsKnown: r.ops === 0 ? null : Number(((100 * r.known) / r.ops).toFixed(1)), ops: r.ops, hints: r.hints, warnings: r.warnings, falseWarnings: r.falseWarnings, planted: r.planted, plantedFound: r.plantedFound, plantedSites: r.plantedSites })),
  total: { files: sum('files'), models: sum('models'), opsKnown: Number(((100 * sum('known')) / Math.max(1, sum('ops'))).toFixed(1)), warnings: sum('warnings'), falseWarnings: sum('falseWarnings'), plantedFound: sum('plantedFound'), plantedSites: sum('plantedSites'), byMutation: Object.fromEntries(byMutation) },
};
console.log(`BENCH_CORPUS ${JSON.stringify(summary)}`);

// Shared by the probe tests: load a sample's model graph, and run probes in-process on a chosen backend.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import type { ModelGraph } from '../../server/src/core/graph';
import { initBackend } from '../../server/src/probe/backends';
import type { BackendName } from '../../server/src/probe/backendChoice';
import { runProbes } from '../../server/src/probe/runProbes';
import type { ProbeId, ProbeResult, ProbeRun } from '../../server/src/probe/types';
import { parsers } from '../helpers/parsers';

export const ROOT = join(__dirname, '..', '..');

export async function sampleGraph(file: string, model: string): Promise<ModelGraph> {
  const path = join(ROOT, 'samples', file);
  const analysis = analyzeSource({ file: { path, language: 'python', text: readFileSync(path, 'utf8') }, parsers: await parsers() });
  const found = analysis.models.find((m) => m.graph.name === model);
  if (!found) throw new Error(`${file} has no model ${model}`);
  return found.graph;
}

export async function probe(graph: ModelGraph, probes: ProbeId[], backend: BackendName = 'cpu', extra: { spec?: ModelGraph; seed?: number; steps?: number } = {}): Promise<ProbeRun> {
  const ready = await initBackend(backend, 0);
  return runProbes(ready.tf, ready, { graph, probes, backend, seed: extra.seed ?? 0, spec: extra.spec, steps: extra.steps });
}

export function result(run: ProbeRun, id: ProbeId): ProbeResult {
  const r = run.results.find((x) => x.probe === id);
  if (!r) throw new Error(`no ${id} result`);
  return r;
}

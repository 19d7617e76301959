// MA008 bias-before-norm: an affine map's bias immediately cancelled by a following batch (or instance) norm.

import type { Finding, Fix } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { type ModelRule, idiomsOf, layerName } from './rule';

/** Norms that subtract a per-feature mean, which cancels a per-feature bias added just before. */
const CANCELS_BIAS = new Set(['batch_norm', 'instance_norm']);

export const biasBeforeNorm: ModelRule = {
  code: 'MA008',
  name: 'bias-before-norm',
  defaultSeverity: 'information',
  docs: {
    summary: 'A Linear or Conv layer with a bias feeds straight into BatchNorm (or InstanceNorm), which subtracts the mean and so cancels the bias.',
    why:
      'BatchNorm subtracts the per-channel mean, so a constant added per channel just before it has no effect on the ' +
      'output and gets zero gradient; BatchNorm has its own shift (beta). The bias wastes parameters, memory and a ' +
      'little time, and is a sign that the block was assembled without the usual conv-BN idiom. Harmless to accuracy, ' +
      'hence information.',
    bad: 'self.conv = nn.Conv2d(64, 128, 3, padding=1)\nself.bn = nn.BatchNorm2d(128)',
    good: 'self.conv = nn.Conv2d(64, 128, 3, padding=1, bias=False)\nself.bn = nn.BatchNorm2d(128)',
    fix: 'Adds bias=False to the layer. Safe for training from scratch; a checkpoint saved with the bias then loads only with strict=False.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const consumers = ModelGraph.consumers(graph);
    const reported = new Set<string>();
    for (const node of graph.nodes) {
      if (node.category !== 'affine' || node.attrs.bias !== true || node.origin !== undefined) continue;
      const next = consumers.get(node.id) ?? [];
      if (next.length !== 1) continue;
      const norm: GraphNode = ModelGraph.node(graph, next[0]);
      if (!CANCELS_BIAS.has(norm.op)) continue;
      // Layers built by one helper line are reported (and fixed) once, at that line.
      const at = node.defRange ?? node.range;
      if (reported.has(`${at.start.line}:${at.start.character}`)) continue;
      reported.add(`${at.start.line}:${at.start.character}`);
      const fix = node.edits?.disableBias;
      const fixes: Fix[] = fix ? [{ title: `Drop the bias of ${layerName(node)}: ${fix.description}`, edits: fix.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MA008',
        severity,
        message: `${layerName(node)} adds a bias that ${layerName(norm)} (${norm.op}) subtracts again right away: the bias has no effect and gets no gradient. Construct ${layerName(node)} with ${idiomsOf(graph).noBias}.`,
        range: node.defRange ?? node.range,
        related: [{ range: norm.range, message: `${layerName(norm)} removes the per-channel mean here` }],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};

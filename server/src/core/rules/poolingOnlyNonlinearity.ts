// MA015 pooling-only-nonlinearity: a convolution (or dense layer) reaches the next one with no activation, only a
// max pooling between them.

import type { Finding, Fix } from '../findings';
import type { GraphNode, ModelGraph } from '../graph';
import { type AffinePair, findAffinePairs, fixSite, preservesLinearity } from '../linearChains';
import { isMaxPool, type ModelRule, layerName } from './rule';

/** Affine pairs joined by linearity-preserving ops and at least one max pooling, crossing no skip connection. */
function pooledPairs(graph: ModelGraph): (AffinePair & { readonly pool: GraphNode })[] {
  return findAffinePairs(graph, (n) => isMaxPool(n) || preservesLinearity(n)).flatMap((pair) => {
    const pool = pair.through.find(isMaxPool);
    return pool ? [{ ...pair, pool }] : [];
  });
}

export const poolingOnlyNonlinearity: ModelRule = {
  code: 'MA015',
  name: 'pooling-only-nonlinearity',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A convolution (or dense layer) has no activation: the only thing between it and the next layer is a max pooling.',
    why:
      'Max pooling keeps the largest value of each window. It is piecewise linear and bends the function only where ' +
      'the maximum changes hands, so conv → max pool → conv with no ReLU is much weaker than the same stack with ' +
      'one: most of the depth is wasted. The model trains and reaches some accuracy, which is why the ' +
      'missing activation goes unnoticed (NeuraLint\'s "missing activation" programs are of this kind). An ' +
      'activation before the pooling (or right after it) restores the layer.',
    bad: 'conv1 = tf.layers.conv2d(x, 32, [5, 5], padding="same")\npool1 = tf.layers.max_pooling2d(conv1, [2, 2], 2)\nconv2 = tf.layers.conv2d(pool1, 64, [5, 5], padding="same", activation=tf.nn.relu)',
    good: 'conv1 = tf.layers.conv2d(x, 32, [5, 5], padding="same", activation=tf.nn.relu)\npool1 = tf.layers.max_pooling2d(conv1, [2, 2], 2)\nconv2 = tf.layers.conv2d(pool1, 64, [5, 5], padding="same", activation=tf.nn.relu)',
    fix: "Inserts a ReLU after the first layer (F.relu(...) in a forward, nn.ReLU() in a Sequential, activation='relu' in Keras). It changes what the model computes, which is the point.",
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const pair of pooledPairs(graph)) {
      const { first, second, pool } = pair;
      if (first.origin !== undefined) continue;
      // As for MA001: at the submodule call that ends with the first layer when the two are in different calls.
      const { range: at, insert } = fixSite(pair);
      const key = `${at.start.line}:${at.start.character}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const fixes: Fix[] = insert ? [{ title: `Insert ReLU after ${layerName(first)}: ${insert.description}`, edits: insert.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MA015',
        severity,
        message: `${layerName(first)} has no activation: the only nonlinearity between it and ${layerName(second)} is ${layerName(pool)}, a max pooling, which passes the largest value of each window through unchanged, so the two layers are far less expressive than with an activation between them.`,
        range: at,
        related: [
          { range: pool.range, message: `${layerName(pool)} is the only op between the two layers that is not linear` },
          { range: second.range, message: `${layerName(second)} receives ${layerName(first)}'s output with no activation` },
        ],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};

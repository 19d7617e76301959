// MA001 linear-collapse: affine maps composed with no nonlinearity between them collapse into one linear map.

import type { Finding, Fix } from '../findings';
import { type ActivationInsertion, type GraphNode, ModelGraph, Range } from '../graph';
import { Affine, type AffinePair, findAffinePairs, fixSite, isAffine, preservesLinearity } from '../linearChains';
import { type ModelRule, layerName } from './rule';

/** Whether a convolution changes the spatial resolution: a transposed one that is not stride 1, or a strided one. */
function resamples(node: GraphNode): boolean {
  if (!/^conv(_transpose)?[123]d$/.test(node.op)) return false;
  const stride = node.attrs.stride;
  const strides = Array.isArray(stride) ? stride : [stride];
  // A transposed convolution whose stride is not written as a number is taken as the upsampler it nearly always is.
  if (node.op.startsWith('conv_transpose')) return !strides.every((s) => s === 1 || s === undefined);
  return strides.some((s) => typeof s === 'number' && s > 1);
}

/**
 * The values a node is an affine function of: walking back through affine maps and linearity-preserving ops, the
 * first nodes that are neither (model inputs, nonlinearities, opaque steps).
 */
function linearSources(graph: ModelGraph, id: number, memo: Map<number, ReadonlySet<number>>): ReadonlySet<number> {
  const known = memo.get(id);
  if (known) return known;
  const sources = new Set<number>();
  const seen = new Set<number>();
  const stack = [id];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const node = ModelGraph.node(graph, current);
    if (node.category !== 'input' && node.inputs.length > 0 && (isAffine(node) || preservesLinearity(node))) stack.push(...node.inputs);
    else sources.add(current);
  }
  memo.set(id, sources);
  return sources;
}

/**
 * A U-Net decoder step: `up = ConvTranspose2d(…)(x)`, `cat([up, skip])`, `Conv2d(…)`. Along x the two maps do
 * compose linearly, but the transposed convolution is there to bring x to the skip's resolution so that the two
 * can be joined; it is a learned upsampling (as `nn.Upsample` followed by the same convolution would be), and the
 * convolution after the join fuses two different signals. Dropping the upsampler is not possible (the shapes would
 * not join), so "no more expressive than a single layer" does not describe the code, and the pair is not reported.
 *
 * The exemption needs both: the first map resamples, and the join brings in something that is not an affine
 * function of that map's own input (an encoder skip behind a ReLU, another model input). When every other operand
 * is itself affine in the same values (`cat([up(x), proj(x)])`), the whole step is one linear map of x, a real
 * collapse, and it is still reported; so is a map that does not resample (`cat([fc1(z), emb])` into fc2: fc1 could
 * be dropped and z fed to fc2 directly).
 */
function isResamplingIntoFusion(graph: ModelGraph, pair: AffinePair, memo: Map<number, ReadonlySet<number>>): boolean {
  if (pair.first.inputs.length === 0) return false;
  const resampled = resamples(pair.first);
  const own = new Set(pair.first.inputs.flatMap((i) => [...linearSources(graph, i, memo)]));
  return pair.through.some((join, i) => {
    if (join.op !== 'concat' && join.op !== 'add' && join.op !== 'sub') return false;
    if (!resampled && !reshapedToJoin(pair.through.slice(0, i))) return false;
    const onPath = (i === 0 ? pair.first : pair.through[i - 1]).id;
    const others = join.inputs.filter((input) => input !== onPath);
    return others.some((other) => [...linearSources(graph, other, memo)].some((source) => !own.has(source)));
  });
}

/**
 * Whether the first map's output is reshaped on its way to the join: `self.fc(z).view(B, 1, H, W)` concatenated
 * with an image (BicycleGAN, PixelDA). A Linear that projects a latent code onto the image plane is the learned
 * upsampling of a vector into a feature map, as a transposed convolution is; the convolution after the join cannot
 * take the latent directly, so the pair is a fusion, not a collapse.
 */
function reshapedToJoin(before: readonly GraphNode[]): boolean {
  return before.some((n) => n.op === 'view' || n.op === 'reshape' || n.op === 'unflatten');
}

/**
 * A stem: the first map's output is also carried by a skip around the second map to a join after it (ESRGAN's and
 * EDSR's `out1 = conv1(x); out = conv2(blocks(out1)); out1 + out`). The stem convolution lifts the input into the
 * feature space the residual trunk works in and has no activation by design; the trunk's first layer composing with
 * it linearly is how those networks are built, so the pair is reported as information.
 */
function stemOfSkip(graph: ModelGraph, pair: AffinePair, consumers: Map<number, number[]>): boolean {
  const onPath = new Set([pair.second.id, ...pair.through.map((n) => n.id)]);
  const merges = (id: number) => {
    const n = ModelGraph.node(graph, id);
    return n.op === 'add' || n.op === 'sub' || n.op === 'concat';
  };
  return (consumers.get(pair.first.id) ?? []).some((c) => !onPath.has(c) && merges(c) && ModelGraph.isAncestor(graph, pair.second.id, c));
}

function widths(node: GraphNode): string {
  const show = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : '?');
  return `${show(node.attrs.in)}→${show(node.attrs.out)}`;
}

/**
 * How a group of pairs reads: a plain collapse (a warning), or one of three designs that compose linearly on
 * purpose and are reported as information: a low-rank bottleneck (an inner width below both outer widths), a
 * depthwise convolution into a pointwise one (a depthwise-separable convolution), or a stem carried by a skip.
 */
type CollapseKind = 'collapse' | 'bottleneck' | 'separable' | 'stem';

function kindOf(graph: ModelGraph, pair: AffinePair, consumers: Map<number, number[]>): CollapseKind {
  if (Affine.isSeparable(pair)) return 'separable';
  if (stemOfSkip(graph, pair, consumers)) return 'stem';
  return Affine.isBottleneck(pair) ? 'bottleneck' : 'collapse';
}

/**
 * Identity layers on the way from one affine map to the next (`self.act = nn.Identity()`, often an activation
 * switched off by a configuration): each is pointed at where it is built, since that is where an activation is missing.
 */
function identitiesBetween(pairs: readonly AffinePair[]): { range: Range; message: string }[] {
  const out: { range: Range; message: string }[] = [];
  const seen = new Set<number>();
  for (const p of pairs) {
    for (const n of p.through) {
      if (n.op !== 'identity' || !n.module || seen.has(n.id)) continue;
      seen.add(n.id);
      out.push({ range: n.defRange ?? n.range, message: `${n.module} is an identity: it passes ${layerName(p.first)}'s output on unchanged, with no nonlinearity` });
    }
  }
  return out;
}

export const linearCollapse: ModelRule = {
  code: 'MA001',
  name: 'linear-collapse',
  defaultSeverity: 'warning',
  docs: {
    summary: 'Two or more affine maps (Linear, Conv, Dense) are composed with no nonlinearity between them, so they collapse into one linear map.',
    why:
      'W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂): the stacked layers are exactly as expressive as one layer, however wide. ' +
      'The network still trains and converges, so nothing points at the missing activation; it just underfits, and ' +
      'every hyperparameter gets tuned around the weaker model. An intentional low-rank bottleneck (an inner width ' +
      'below both outer widths) is reported as information only, and so is a depthwise convolution (one group per ' +
      'channel) followed by a pointwise 1×1 one with at most batch norm or dropout between them: that is a ' +
      'depthwise-separable convolution (Xception, MobileNet, SeparableConv2D written out; a grouped 1×1 as in ' +
      'ShuffleNet), one convolution factorised into far fewer parameters, linear by design. Two depthwise or two ' +
      'pointwise convolutions in a row are a plain collapse. A transposed (or strided) convolution whose output is ' +
      'concatenated with a skip from elsewhere and then convolved, as in a U-Net decoder, is a learned upsampling into ' +
      'a fusion and is not reported, and so is a Linear whose output is reshaped onto the image plane and concatenated ' +
      'with an image (a latent code projected into a generator, as in BicycleGAN); when everything concatenated is ' +
      'linear in the same input, it is. A stem whose output is also carried by a skip around the next map to a later ' +
      'join (`out1 = conv1(x); out1 + conv2(blocks(out1))`, ESRGAN, EDSR) is reported as information.',
    bad: 'def forward(self, x):\n    x = F.relu(self.fc1(x))\n    x = self.fc2(x)      # no activation\n    return self.fc3(x)',
    good: 'def forward(self, x):\n    x = F.relu(self.fc1(x))\n    x = F.relu(self.fc2(x))\n    return self.fc3(x)',
    fix: 'Inserts a ReLU after the first map (F.relu(...) in a forward, nn.ReLU() in a Sequential). It changes what the model computes, which is the point, but check that ReLU is the activation you want.',
  },
  check({ graph, severity }) {
    const groups = new Map<string, { kind: CollapseKind; pairs: AffinePair[]; range: Range; insert?: ActivationInsertion }>();
    const sources = new Map<number, ReadonlySet<number>>();
    const consumers = ModelGraph.consumers(graph);
    for (const pair of findAffinePairs(graph)) {
      if (isResamplingIntoFusion(graph, pair, sources)) continue;
      const site = fixSite(pair);
      const kind = kindOf(graph, pair, consumers);
      const key = `${site.range.start.line}:${site.range.start.character}:${kind}`;
      const group = groups.get(key) ?? { kind, pairs: [], range: site.range, insert: site.insert };
      group.pairs.push(pair);
      groups.set(key, group);
    }
    const findings: Finding[] = [];
    for (const { kind, pairs, range, insert } of groups.values()) {
      const first = pairs[0].first;
      const last = pairs[pairs.length - 1].second;
      const intended = kind !== 'collapse';
      const names: string[] = [];
      for (const p of pairs) for (const n of [p.first, p.second]) if (!names.includes(layerName(n))) names.push(layerName(n));
      const chain = names.length > 2 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join(' and ');
      const composed = `${widths(first).split('→')[0]}→${widths(last).split('→')[1]}`;
      const message =
        kind === 'bottleneck'
          ? `${chain} compose into one linear map ${composed} through a ${String(first.attrs.out)}-wide bottleneck with no activation: a low-rank factorisation. If that is intended, ignore this; otherwise add an activation after ${layerName(first)}.`
          : kind === 'stem'
            ? `${chain} compose into one linear map ${composed}: ${layerName(first)} (${widths(first)}) has no activation, and its output is also carried by a skip around ${layerName(pairs[0].second)} to a later join: a stem into a residual trunk, as ESRGAN and EDSR build it. If that is intended, ignore this; otherwise add an activation after ${layerName(first)}.`
            : kind === 'separable'
            ? `${chain} compose into one linear map ${composed}: a depthwise convolution (${widths(first)}) into a pointwise 1×1 one with no activation between them is a depthwise-separable convolution, the factorisation Xception and MobileNet use for one convolution with far fewer parameters. If that is intended, ignore this; otherwise add an activation after ${layerName(first)}.`
            : `${chain} compose into one linear map ${composed}: there is no activation after ${layerName(first)} (${widths(first)}), so these layers are no more expressive than a single one.`;
      const fixes: Fix[] = insert
        ? [{ title: `Insert ReLU after ${layerName(first)}: ${insert.description}`, edits: insert.edits, isPreferred: !intended }]
        : [];
      findings.push({
        code: 'MA001',
        severity: intended ? 'information' : severity,
        message,
        range,
        related: [
          // When the second map runs inside the call the finding is on (a Sequential, a block built by a helper),
          // the place worth going to is where it is built.
          ...pairs.map((p) => ({ range: p.second.defRange && Range.equals(p.second.range, range) ? p.second.defRange : p.second.range, message: `${layerName(p.second)} (${widths(p.second)}) is applied to ${layerName(p.first)}'s output with no activation in between` })),
          ...identitiesBetween(pairs),
        ],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};

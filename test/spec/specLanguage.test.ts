// The `.mspec` language on its own: the contract's core notation parses into the canonical ops, equivalent forms
// give the same graph, syntax errors are MS010 with a precise range and what was expected, unknown operations get a
// "did you mean", specs are parsed and never evaluated, and no input makes the parser throw.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignSpecToGraph } from '../../server/src/core/spec/alignSpecToGraph';
import { analyzeSpecSource, type SpecHost } from '../../server/src/core/spec/analyzeSpec';
import { buildSpecGraphs } from '../../server/src/core/spec/buildSpecGraph';
import { parseSpec } from '../../server/src/core/spec/parseSpec';
import { mathNodes } from '../../server/src/core/render/math';
import { renderModelEquation } from '../../server/src/core/analyze';

const CONTRACT = `# What MnistMLP in mnist.py must compute.
model MnistMLP in "mnist.py"

input x: [784]
h1 = relu(Linear(x, 256))
h2 = relu(Linear(h1, 128))
y = Linear(h2, 10)
output y
`;

function build(text: string) {
  const doc = parseSpec(text);
  const builds = buildSpecGraphs(doc);
  return { doc, builds, problems: [...doc.problems, ...builds.flatMap((b) => b.problems)] };
}

const ops = (text: string, i = 0) => build(text).builds[i].graph.nodes.map((n) => n.op + (n.attrs.out !== undefined ? `:${String(n.attrs.out)}` : ''));

describe('spec language', () => {
  it("parses the contract's example into the canonical ops", () => {
    const { doc, builds, problems } = build(CONTRACT);
    assert.deepEqual(problems, []);
    assert.equal(doc.models[0].name, 'MnistMLP');
    assert.equal(doc.models[0].path, 'mnist.py');
    const graph = builds[0].graph;
    assert.equal(graph.framework, 'spec');
    assert.deepEqual(ops(CONTRACT), ['input', 'linear:256', 'relu', 'linear:128', 'relu', 'linear:10']);
    assert.deepEqual(graph.nodes[0].shape, [784]);
    assert.deepEqual(graph.nodes[1].attrs.in, 784, 'the width Linear reads is inferred from x');
    assert.equal(renderModelEquation(graph).text, 'y = W₃·ReLU(W₂·ReLU(W₁x + b₁) + b₂) + b₃');
  });

  it('parses the rest of the core: W x + b, keyword arguments, pooling, flatten, residuals, named blocks', () => {
    const text = `model Net in "net.py"
input x: [1, 28, 28]
W1: [256, 784]
c = maxpool2d(relu(Conv2d(x, 6, 5, padding=2)), 2)
f = flatten(c)
a = W1 f + b1
h = a + relu(Linear(a, 256))
block(z) = z + relu(Linear(z, 256))
y = block(block(h))
output y
`;
    const { builds, problems } = build(text);
    assert.deepEqual(problems, []);
    const g = builds[0].graph;
    assert.deepEqual(g.nodes.map((n) => n.op), ['input', 'conv2d', 'relu', 'max_pool2d', 'flatten', 'linear', 'linear', 'relu', 'add', 'linear', 'relu', 'add', 'linear', 'relu', 'add']);
    assert.deepEqual(g.nodes[1].attrs, { bias: true, out: 6, kernel: 5, padding: 2, in: 1 });
    assert.deepEqual({ out: g.nodes[5].attrs.out, in: g.nodes[5].attrs.in, bias: g.nodes[5].attrs.bias }, { out: 256, in: 784, bias: true });
    // Each use of a block has its own layers.
    assert.notEqual(g.nodes[9].layerId, g.nodes[12].layerId);
  });

  it('Linear(x, 256) ≡ W x + b with W: [256, in], and relu ≡ ReLU ≡ F.relu ≡ nn.ReLU', () => {
    const a = build('model A\ninput x: [784]\ny = relu(Linear(x, 256))\noutput y\n').builds[0].graph;
    for (const form of ['W: [256, 784]\ny = ReLU(W x + b)', 'W: [256, 784]\ny = F.relu(W · x + b)', 'W: [256, 784]\ny = nn.ReLU(W * x + b)', 'y = relu(Dense(x, 256))']) {
      const b = build(`model A\ninput x: [784]\n${form}\noutput y\n`);
      assert.deepEqual(b.problems, [], form);
      assert.deepEqual(alignSpecToGraph(b.builds[0].graph, a).differences, [], form);
    }
  });

  it('repetition block^6(x) applies a block six times; shared= shares one layer', () => {
    const g = build('model T\ninput x: [64]\nblock(z) = z + gelu(Linear(z, 64))\ny = block^6(x)\noutput y\n').builds[0].graph;
    assert.equal(g.nodes.filter((n) => n.op === 'linear').length, 6);
    assert.equal(new Set(g.nodes.filter((n) => n.op === 'linear').map((n) => n.layerId)).size, 6);
    const s = build('model S\ninput x: [16]\na = Linear(x, 16, shared=enc)\nb = Linear(a, 16, shared=enc)\noutput b\n').builds[0].graph;
    assert.equal(s.nodes[1].layerId, s.nodes[2].layerId);
  });

  it('a loss line names the loss and adds no operation', () => {
    const { builds, problems } = build(`${CONTRACT}loss = cross_entropy(y, target)\n`);
    assert.deepEqual(problems, []);
    assert.deepEqual(builds[0].graph.losses, ['cross_entropy']);
    assert.equal(builds[0].graph.nodes.length, 6);
  });

  it('a syntax error is MS010 at the exact place, saying what was expected, and the rest still parses', () => {
    const text = 'model M in "m.py"\ninput x: [784]\nh1 = relu(Linear(x, 256)\ny = Linear(h1, 10)\noutput y\n';
    const { doc, builds } = build(text);
    assert.equal(doc.problems.length, 1);
    const p = doc.problems[0];
    assert.equal(p.code, 'MS010');
    assert.match(p.message, /\) expected/);
    assert.deepEqual(p.range.start, { line: 2, character: 24 });
    // The next statement is read on its own, not swallowed by the open parenthesis.
    assert.ok(builds[0].graph.nodes.some((n) => n.op === 'linear' && n.attrs.out === 10));
    const colon = parseSpec('model M\ninput x: [784]\nh: = relu(x)\n').problems[0];
    assert.match(colon.message, /Expected a shape/);
    assert.deepEqual(colon.range.start, { line: 2, character: 2 });
  });

  it('unary plus is its operand; other unary operators (not x, x!) are reported, not crashed on (found by npm run fuzz)', () => {
    const plus = build('model M\ninput x: [4]\ny = relu(+x)\noutput y\n');
    assert.deepEqual(plus.problems, []);
    assert.ok(plus.builds[0].graph.nodes.some((n) => n.op === 'relu'));
    for (const expr of ['not x', 'x!']) {
      const { problems } = build(`model M\ninput x: [4]\ny = relu(${expr})\noutput y\n`);
      assert.match(problems.map((p) => p.message).join('\n'), /is not an operation on tensors/, expr);
    }
  });

  it('an unknown operation gets a "did you mean"', () => {
    const { problems } = build('model M\ninput x: [10]\ny = Lineer(relu(x), 3)\nz = sigmod(y)\noutput z\n');
    assert.deepEqual(problems.map((p) => p.message), ['Unknown operation `Lineer`; did you mean `Linear`?', 'Unknown operation `sigmod`; did you mean `sigmoid`?']);
    assert.deepEqual(problems[0].range, { start: { line: 2, character: 4 }, end: { line: 2, character: 10 } });
  });

  it('is parsed, never evaluated: import(…), evaluate(…) and createUnit(…) only report an unknown operation', () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'spec', 'language', 'unsafe_functions.mspec'), 'utf8');
    const reads: string[] = [];
    const host: SpecHost = {
      resolve: (_from, rel) => rel,
      read: (p) => {
        reads.push(p);
        return undefined;
      },
    };
    // Any function of the mathjs instance that acts (import, createUnit, evaluate, …) throws if called meanwhile.
    const math = mathNodes() as unknown as Record<string, unknown>;
    const saved = new Map<string, unknown>();
    for (const [name, value] of Object.entries(math)) {
      if (typeof value === 'function' && name !== 'parse' && !/Node$/.test(name)) {
        saved.set(name, value);
        math[name] = () => assert.fail(`mathjs ${name} was called while analysing a spec`);
      }
    }
    let analysis;
    try {
      analysis = analyzeSpecSource({ file: { path: 'unsafe.mspec', language: 'model-spec', text }, parsers: {}, specHost: host }, { analyzeCode: () => assert.fail('no code to analyse'), renderEquation: renderModelEquation });
    } finally {
      for (const [name, value] of saved) math[name] = value;
    }
    assert.ok(saved.has('import'), 'import was guarded');
    // The instance specs are parsed with has no evaluate or createUnit at all.
    assert.equal(typeof math.evaluate, 'undefined');
    assert.equal(typeof math.createUnit, 'undefined');
    const unknown = analysis.findings.filter((f) => f.code === 'MS010').map((f) => f.message.replace(/;.*/, ''));
    assert.deepEqual(unknown, ['Unknown operation `import`', 'Unknown operation `evaluate`', 'Unknown operation `createUnit`']);
    // The only file touched is the bound code file, through the host.
    assert.deepEqual(reads, ['../pytorch/matching.py']);
  });

  it('never throws, whatever the text: every prefix and every single-line deletion of every fixture spec', () => {
    const dir = join(__dirname, '..', 'fixtures', 'spec');
    const texts = readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.mspec')).map((f) => readFileSync(join(dir, d, f), 'utf8')));
    texts.push(CONTRACT, '', '(((', 'model', 'model M in "', 'block(z) = block(z)\nmodel M\ninput x\ny = block(x)\n', 'model M\ninput x\ny = x^^2 ** [ , ] {a: 1} "unterminated', 'model M\ninput x\nf(a) = a\ny = f^999999(x)\n');
    for (const text of texts) {
      for (let i = 0; i <= text.length; i += 3) {
        const prefix = text.slice(0, i);
        assert.doesNotThrow(() => build(prefix), prefix);
      }
      const lines = text.split('\n');
      lines.forEach((_, i) => assert.doesNotThrow(() => build([...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'))));
    }
  });

  it('an expression may continue over lines while a parenthesis is open, comments included; CRLF files parse too', () => {
    const multi = build('model M in "m.py"\ninput x: [4]\ny = Linear(\n  relu(x),  # a comment (with a parenthesis\n  10)\noutput y\n');
    assert.deepEqual(multi.problems, []);
    const linear = multi.builds[0].graph.nodes.find((n) => n.op === 'linear')!;
    assert.deepEqual([linear.attrs.out, linear.range.start.line, linear.range.end.line], [10, 2, 4]);
    const crlf = build('model M in "m.py"\r\ninput x: [4]\r\ny = Linear(relu(x), 10)\r\noutput y\r\n');
    assert.deepEqual(crlf.problems, []);
    assert.deepEqual(ops('model M in "m.py"\r\ninput x: [4]\r\ny = Linear(relu(x), 10)\r\noutput y\r\n'), ['input', 'relu', 'linear:10']);
  });

  it('a block that uses itself is reported, not expanded forever', () => {
    const { problems } = build('block(z) = block(z) + z\nmodel M\ninput x: [4]\ny = block(x)\noutput y\n');
    assert.ok(problems.some((p) => /too many operations/.test(p.message)));
  });
});

// MA001 on U-Net decoders: a bare ConvTranspose2d upsampler whose output is concatenated with an encoder skip and
// fused by a convolution is a learned upsampling, not a missing activation; concatenations of maps that are all
// linear in the same input still collapse, and are still reported.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

const FIXTURES = join(__dirname, '..', 'fixtures');

async function analyzeFile(path: string) {
  return analyzeSource({ file: { path, language: 'python', text: readFileSync(path, 'utf8') }, parsers: await parsers() });
}

describe('linear collapse across a U-Net skip concatenation', () => {
  it('reports nothing on the Up block on its own nor on the whole U-Net', async () => {
    const analysis = await analyzeFile(join(FIXTURES, 'models', 'pt_unet_upconv_decoder.py'));
    assert.deepEqual(analysis.findings.filter((f) => f.code === 'MA001'), []);
    const up = analysis.models.find((m) => m.graph.name === 'Up')!;
    // The upsampler is still shown for what it is: an affine map with no activation, joined with the skip.
    assert.equal(up.equation.text, 'y = ReLU(BN(W₃∗ReLU(BN(W₂∗concat(W₁∗ᵀx + b₁, skip)))))');
    assert.equal(up.equation.collapsed, undefined);
  });

  it('still reports a concatenation whose halves are both linear in the same input', async () => {
    const analysis = await analyzeFile(join(FIXTURES, 'rules', 'MA001', 'pos_upconv_concat_of_linear_branches.py'));
    const messages = analysis.findings.filter((f) => f.code === 'MA001').map((f) => f.message);
    assert.equal(messages.length, 2);
    assert.match(messages[0], /^up and conv compose into one linear map 64→32/);
    assert.match(messages[1], /^up_aux and conv compose into one linear map 64→32/);
  });

  it('still reports a map that does not resample before a concatenation (a stride-1 transposed convolution)', async () => {
    const text = readFileSync(join(FIXTURES, 'models', 'pt_unet_upconv_decoder.py'), 'utf8').replace('kernel_size=2, stride=2)', 'kernel_size=3, padding=1)');
    const analysis = analyzeSource({ file: { path: 'unet.py', language: 'python', text }, parsers: await parsers() });
    const findings = analysis.findings.filter((f) => f.code === 'MA001' && f.model === 'Up');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^up and conv\.double_conv\.0 compose into one linear map/);
  });
});

// Model names offered after `model ` in a spec: the bound file's models when the line names one, else the open
// documents' and a quick scan of the workspace's model files.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParserSet } from '../../server/src/core/analyze';
import { lspSpecHost } from '../../server/src/lsp/specHost';
import { modelNames, scanModelNames } from '../../server/src/lsp/workspaceModels';
import { parsers } from '../helpers/parsers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'spec');

describe('spec completion: model names', () => {
  let ps: ParserSet;
  before(async () => {
    ps = await parsers();
  });

  it('scans PyTorch classes, Keras and TF.js builders and Sequential values', () => {
    const text = 'class Net(nn.Module):\n    pass\nclass Util:\n    pass\nmodel = keras.Sequential([])\ndef build_model():\n    pass\nfunction buildIris() {}\nexport function createNet() {}\n';
    assert.deepEqual(scanModelNames(text).sort(), ['Net', 'buildIris', 'build_model', 'createNet', 'model']);
  });

  it("offers the bound file's models, analysed, when the line names a file", () => {
    const specUri = pathToFileURL(join(FIXTURES, 'pytorch', 'x.mspec')).href;
    const names = modelNames({ specUri, codePath: 'matching.py', host: lspSpecHost(() => undefined), parsers: ps, openAnalyses: [], workspaceRoots: [] });
    assert.deepEqual(names.sort(), ['Block', 'Gated', 'Net']);
  });

  it("offers the workspace's models otherwise", () => {
    const specUri = pathToFileURL(join(FIXTURES, 'keras', 'x.mspec')).href;
    const names = modelNames({ specUri, host: lspSpecHost(() => undefined), parsers: ps, openAnalyses: [], workspaceRoots: [pathToFileURL(join(FIXTURES, 'tfjs')).href] });
    for (const name of ['buildIris', 'buildRegressor', 'buildCnn']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  });
});

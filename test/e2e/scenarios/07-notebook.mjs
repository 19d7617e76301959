// A Jupyter notebook in the real workbench: the built-in notebook editor opens test/fixtures/notebooks/split-model.ipynb
// (copied into the scenario's workspace), and the model's cell shows its equation lens and squiggles, as a user sees them.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEOUT } from '../lib/workbench.mjs';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'notebooks', 'split-model.ipynb');

export default {
  name: 'a notebook cell shows the model equation lens and the MA001 squiggle',
  async run({ workbench, page, workspace }) {
    copyFileSync(FIXTURE, join(workspace, 'split_model.ipynb'));
    await workbench.openFolder(workspace, 'split_model.ipynb');
    // Quick Open as in workbench.openFile, but a notebook has no text editor of its own to wait for: wait for the
    // notebook editor, then for its cells' editors, which it renders as it gets to them.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: TIMEOUT.ui });
    await input.fill('split_model.ipynb');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'split_model.ipynb' }).first().waitFor({ timeout: TIMEOUT.ui });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'split_model.ipynb' }).waitFor({ timeout: TIMEOUT.ui });
    // The notebook editor lives in an overlay outside the editor group's element, so cells are found on the page.
    const notebook = page.locator('.monaco-workbench');
    const lens = notebook.locator('.codelens-decoration', { hasText: 'y = W₂·(W₁x + b₁) + b₂' }).first();
    await lens.waitFor({ timeout: TIMEOUT.server });
    await notebook.locator('.codelens-decoration', { hasText: '▶ Run probes' }).first().waitFor({ timeout: TIMEOUT.ui });
    // MA001 on the forward line of the model's cell: a warning squiggle in that cell (the training cell's MT002 is
    // below the fold, where the notebook does not render cells).
    const modelCell = notebook.locator('.cell-editor-container', { hasText: 'class TwoLayer' }).first();
    await modelCell.locator('.squiggly-warning').first().waitFor({ timeout: TIMEOUT.server });
    await workbench.screenshot('notebook');
  },
};

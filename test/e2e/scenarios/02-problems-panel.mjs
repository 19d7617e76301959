// The missing activation in samples/mlp_missing_relu.py shows as a warning squiggle in the editor and as an MA001
// row, with its message, in the Problems panel.
import { TIMEOUT } from '../lib/workbench.mjs';

export default {
  name: 'Problems panel lists MA001 (linear collapse) for mlp_missing_relu.py',
  async run({ workbench, page, workspace }) {
    await workbench.openFolder(workspace, 'mlp_missing_relu.py');
    await workbench.openFile('mlp_missing_relu.py');
    await workbench.editor().locator('.squiggly-warning').first().waitFor({ timeout: TIMEOUT.server });
    const panel = await workbench.showProblems();
    const row = panel.locator('.monaco-list-row', { hasText: 'MA001' }).first();
    await row.waitFor({ timeout: TIMEOUT.server });
    const text = await row.innerText();
    // A problem row reads "<message> model-audit(MA001) [Ln L, Col C]"; the message itself must say something.
    const message = text.split('\n')[0].trim();
    if (message.length < 10 || message === 'MA001') throw new Error(`MA001 row has no real message: ${JSON.stringify(text)}`);
    await panel.locator('.monaco-list-row', { hasText: 'mlp_missing_relu.py' }).first().waitFor({ timeout: TIMEOUT.ui });
    await workbench.screenshot('problems');
  },
};

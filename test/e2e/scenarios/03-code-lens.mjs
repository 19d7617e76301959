// Each model gets a code lens with its equation ("y = …") on the line above its class definition.
import { TIMEOUT } from '../lib/workbench.mjs';

export default {
  name: 'code lens above class MissingReluMLP shows its equation "y = …"',
  async run({ workbench, workspace }) {
    await workbench.openFolder(workspace, 'mlp_missing_relu.py');
    await workbench.openFile('mlp_missing_relu.py');
    const editor = workbench.editor();
    const lens = editor.locator('.codelens-decoration', { hasText: 'y = ' }).first();
    await lens.waitFor({ timeout: TIMEOUT.server });
    const classLine = editor.locator('.view-line', { hasText: 'class MissingReluMLP' }).first();
    await classLine.waitFor({ timeout: TIMEOUT.ui });
    const lensBox = await lens.boundingBox();
    const lineBox = await classLine.boundingBox();
    // The lens sits in the view zone right above the class line: below would be a lens on another line.
    if (!lensBox || !lineBox || lensBox.y >= lineBox.y || lineBox.y - lensBox.y > 3 * lineBox.height) {
      throw new Error(`code lens is not just above the class line (lens ${JSON.stringify(lensBox)}, line ${JSON.stringify(lineBox)})`);
    }
    await workbench.screenshot('code-lens');
  },
};

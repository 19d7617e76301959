// Hovering the model's class name shows the equation step by step (h₁ = …, with the activations named).
import { TIMEOUT } from '../lib/workbench.mjs';

export default {
  name: 'hover on MissingReluMLP shows the step-by-step equation',
  async run({ workbench, workspace }) {
    await workbench.openFolder(workspace, 'mlp_missing_relu.py');
    await workbench.openFile('mlp_missing_relu.py');
    // The code lens appearing means the server has analysed the file, so the hover has something to say.
    await workbench.editor().locator('.codelens-decoration', { hasText: 'y = ' }).first().waitFor({ timeout: TIMEOUT.server });
    const hover = await workbench.hoverWord('MissingReluMLP');
    await hover.filter({ hasText: /h₁|ReLU/ }).waitFor({ timeout: TIMEOUT.ui });
    await workbench.screenshot('hover');
  },
};

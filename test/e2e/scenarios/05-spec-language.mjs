// A `.mspec` file opens in the Model Spec language the extension contributes, coloured by its TextMate grammar.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMEOUT } from '../lib/workbench.mjs';

const SPEC = `# What MissingReluMLP in mlp_missing_relu.py must compute.
model MissingReluMLP in "mlp_missing_relu.py"

input x: [784]
h1 = relu(Linear(x, 256))
h2 = relu(Linear(h1, 128))
y = Linear(h2, 10)
output y
`;

export default {
  name: '.mspec files open as "Model Spec" with syntax colouring',
  async run({ workbench, page, workspace }) {
    writeFileSync(join(workspace, 'missing_relu.mspec'), SPEC);
    await workbench.openFolder(workspace, 'missing_relu.mspec');
    await workbench.openFile('missing_relu.mspec');
    await page.locator('.statusbar-item', { hasText: 'Model Spec' }).waitFor({ timeout: TIMEOUT.ui });
    // Monaco renders tokens that no grammar rule coloured with class mtk1 (the default foreground): the keyword
    // `model` and the comment must get a colour of their own, which only the contributed grammar gives them.
    const coloured = (text) =>
      page.waitForFunction(
        (word) =>
          [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-line span span')].some(
            (span) => span.textContent.replace(/\u00a0/g, ' ').trim().startsWith(word) && span.className.trim() !== 'mtk1',
          ),
        text,
        { timeout: TIMEOUT.ui },
      );
    await coloured('model');
    await coloured('# What');
    await workbench.screenshot('spec');
  },
};

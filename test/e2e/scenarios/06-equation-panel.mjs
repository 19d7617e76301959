// "Model Audit: Show Equation" opens the equation panel beside the code with KaTeX-typeset math for the model under
// the cursor; the equation's code lens opens it for its own model; the panel follows the cursor; a parameter's line
// number reveals the line that builds it.
import { TIMEOUT } from '../lib/workbench.mjs';

export default {
  name: 'the equation panel typesets the transformer with KaTeX, follows the cursor and links parameters to lines',
  async run({ workbench, page, workspace }) {
    await workbench.openFolder(workspace, 'transformer_encoder.py');
    await workbench.openFile('transformer_encoder.py');
    // The first class's code lens appearing means the server has analysed the file.
    await workbench.editor().locator('.codelens-decoration a', { hasText: 'softmax' }).first().waitFor({ timeout: TIMEOUT.server });

    await workbench.runCommand('Model Audit: Show Equation');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('.katex-display').first().waitFor({ timeout: TIMEOUT.server });
    await frame.locator('h1', { hasText: 'SelfAttention' }).waitFor({ timeout: TIMEOUT.ui });

    // The code lens above FeedForward shows that model in the panel.
    await workbench.editor().locator('.codelens-decoration a', { hasText: 'GELU' }).first().click();
    await frame.locator('h1', { hasText: 'FeedForward' }).waitFor({ timeout: TIMEOUT.server });

    // The cursor moves into TransformerClassifier's forward (Go to Line): the panel follows, 12 blocks as one power.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ timeout: TIMEOUT.ui });
    await page.keyboard.type('66');
    await page.keyboard.press('Enter');
    await frame.locator('h1', { hasText: 'TransformerClassifier' }).waitFor({ timeout: TIMEOUT.server });
    await frame.locator('.katex', { hasText: 'EncoderBlock' }).first().waitFor({ timeout: TIMEOUT.ui });
    await workbench.screenshot('equation-panel');

    // A parameter's line number reveals the line that builds it (the status bar shows the cursor there).
    const link = frame.locator('td.line a').first();
    const line = Number(await link.textContent());
    await link.click();
    await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).first().waitFor({ timeout: TIMEOUT.ui });
    await workbench.screenshot('equation-panel-revealed');
    // Moving on from the revealed line, the panel follows the cursor again: line 19 is in SelfAttention.
    await page.keyboard.press('ArrowDown');
    await frame.locator('h1', { hasText: 'SelfAttention' }).waitFor({ timeout: TIMEOUT.server });
  },
};

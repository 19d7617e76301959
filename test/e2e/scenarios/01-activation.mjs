// Opening a Python file activates the extension: its status bar item says the language server is running.
import { TIMEOUT } from '../lib/workbench.mjs';

export default {
  name: 'opening a Python file starts the server (status bar "Model Audit", running)',
  async run({ workbench, page, workspace }) {
    await workbench.openFolder(workspace, 'mnist_mlp.py');
    await workbench.openFile('mnist_mlp.py');
    const item = page.locator('.statusbar-item', { hasText: 'Model Audit' });
    await item.waitFor({ timeout: TIMEOUT.server });
    // The item shows $(check) once the client reports the server as running ($(sync~spin) while starting).
    await item.locator('.codicon-check').waitFor({ timeout: TIMEOUT.server });
    await workbench.screenshot('window');
    await workbench.screenshotOf(page.locator('.part.statusbar'), 'status-bar');
  },
};

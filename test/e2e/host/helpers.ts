// Shared by the extension-host tests: open a sample from the workspace copy and wait on conditions (never on the
// clock) with timeouts generous enough for a cold language server on two busy cores.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'model-audit.model-audit';
export const SERVER_TIMEOUT = 120_000;

export function sampleUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace has no folder open');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

/** Opens a sample in an editor, as a user would, which activates the extension for its language. */
export async function openSample(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(sampleUri(name));
  return vscode.window.showTextDocument(document);
}

/** Polls `check` until it returns something truthy (returned) or `timeout` ms pass. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeout = SERVER_TIMEOUT,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The text of a hover's contents, whichever of the content shapes the provider used. */
export function hoverText(hover: vscode.Hover): string {
  return hover.contents
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

export function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

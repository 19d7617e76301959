// "Model Audit: Show Probe Report" opens the last probe runs of the active file in a side panel (verdicts and loss
// curves: code vs spec vs linear baseline); "Model Audit: Save Probe Chart as SVG" writes a chart where the user picks.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ProbeReport } from '../../server/src/shared/customMessages';

async function fetchReport(getClient: () => LanguageClient | undefined): Promise<ProbeReport.Result | undefined> {
  const client = getClient();
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) {
    void vscode.window.showInformationMessage('Model Audit: open a model file to see its probe report.');
    return undefined;
  }
  const report = await client.sendRequest<ProbeReport.Result | null>(ProbeReport.method, { uri: editor.document.uri.toString() } satisfies ProbeReport.Params);
  if (!report) {
    void vscode.window.showInformationMessage('Model Audit: no probes have run on this file yet. Use the "▶ Run probes" code lens above a model.');
    return undefined;
  }
  return report;
}

/** The report page inside a webview: no scripts, nothing loaded from anywhere, inline styles and SVG only. */
function withPolicy(html: string): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">`;
  return /<head>/i.test(html) ? html.replace(/<head>/i, `<head>${csp}`) : `${csp}${html}`;
}

export function registerProbeReport(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('modelAudit.showProbeReport', async () => {
      const report = await fetchReport(getClient);
      if (!report) return;
      const panel = vscode.window.createWebviewPanel('modelAudit.probeReport', 'Probe report', vscode.ViewColumn.Beside, { enableScripts: false });
      panel.webview.html = withPolicy(report.html);
    }),
    vscode.commands.registerCommand('modelAudit.saveProbeChart', async () => {
      const report = await fetchReport(getClient);
      if (!report || report.charts.length === 0) return;
      const chart = report.charts.length === 1 ? report.charts[0] : await vscode.window.showQuickPick(report.charts.map((c) => ({ label: c.model, chart: c }))).then((p) => p?.chart);
      if (!chart) return;
      const target = await vscode.window.showSaveDialog({ filters: { 'SVG image': ['svg'] }, saveLabel: 'Save chart', title: `Loss curves of ${chart.model}` });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(chart.svg));
    }),
  );
}

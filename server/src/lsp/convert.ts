// The only place core values become LSP protocol values: findings → diagnostics, fixes → code actions.

import {
  CodeAction,
  CodeActionKind,
  type Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { Finding, Fix } from '../core/findings';
import type { Severity } from '../core/graph';

export const SOURCE = 'model-audit';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries back to the server for its quick fixes. */
export interface DiagnosticData {
  readonly fixes: readonly Fix[];
}

export function toDiagnostic(finding: Finding, uri: string): Diagnostic {
  const message = finding.stale ? `${finding.message} (kept from the last version that parsed)` : finding.message;
  return {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    source: SOURCE,
    message,
    tags: finding.code === 'MA002' ? [DiagnosticTag.Unnecessary] : undefined,
    relatedInformation: finding.related?.map((r) => ({ location: { uri: r.path ?? uri, range: r.range }, message: r.message })),
    data: { fixes: finding.fixes ?? [] } satisfies DiagnosticData,
  };
}

export function toCodeActions(diagnostic: Diagnostic, uri: string): CodeAction[] {
  const data = diagnostic.data as DiagnosticData | undefined;
  if (!data || !Array.isArray(data.fixes)) return [];
  return data.fixes.map((fix) => {
    const edits: TextEdit[] = fix.edits.map((e: { range: TextEdit['range']; newText: string }) => ({ range: e.range, newText: e.newText }));
    const action = CodeAction.create(fix.title, { changes: { [fix.path ?? uri]: edits } }, CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = fix.isPreferred;
    return action;
  });
}

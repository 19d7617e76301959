// LSP 3.17 notebook document sync: each open notebook's Python code cells, in order, are one program (core/notebook.ts)
// that the scheduler analyses like any document, under the notebook's URI. Diagnostics are fanned out to the cells'
// URIs, and requests on a cell (hover, code lens, equation, probes) are asked of the program at the program position,
// their answers mapped back into the cell (notebookHover.ts, notebookCodeLens.ts, notebookEquation.ts).

import { type Connection, type Diagnostic, NotebookCellKind, type NotebookDocument, NotebookDocuments, type Position, type Range } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../core/findings';
import { buildNotebookProgram, type NotebookCell, NotebookProgram } from '../core/notebook';
import type { DiagnosticData } from './convert';

/** A notebook's program as the scheduler sees it: one Python text document under the notebook's URI. */
interface Program {
  readonly document: TextDocument;
  readonly program: NotebookProgram;
  /** The cells' URIs by cell index (markdown cells included, so indices match the program's spans). */
  readonly cellUris: readonly string[];
}

/** A cell URI resolved to its notebook's program. */
export interface CellTarget {
  readonly notebookUri: string;
  readonly cell: number;
  readonly program: NotebookProgram;
  /** The cell's position in program coordinates. */
  toProgram(pos: Position): Position | undefined;
  /** A program range in this cell's coordinates; undefined when it lies in another cell. */
  toCell(range: Range): Range | undefined;
}

export class NotebookPrograms {
  readonly notebooks = new NotebookDocuments(TextDocument);
  private readonly programs = new Map<string, Program>();
  private readonly versions = new Map<string, number>();
  /** The cells each notebook last published diagnostics to, so cells that lost theirs (or left) are cleared. */
  private readonly publishedCells = new Map<string, Set<string>>();
  /** Called when a notebook's program changed (opened or edited) and when it closed. */
  onDidChange?: (notebookUri: string) => void;
  onDidClose?: (notebookUri: string) => void;

  listen(connection: Connection): void {
    this.notebooks.onDidOpen((nb) => this.changed(nb));
    this.notebooks.onDidChange((e) => this.changed(e.notebookDocument));
    this.notebooks.onDidClose((nb) => {
      this.programs.delete(nb.uri);
      this.versions.delete(nb.uri);
      this.onDidClose?.(nb.uri);
      for (const uri of this.publishedCells.get(nb.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
      this.publishedCells.delete(nb.uri);
    });
    this.notebooks.listen(connection);
  }

  private changed(nb: NotebookDocument): void {
    this.programs.delete(nb.uri);
    this.versions.set(nb.uri, (this.versions.get(nb.uri) ?? 0) + 1);
    this.onDidChange?.(nb.uri);
  }

  /** The notebook program a cell URI's request is about (probes, the probe report), or the URI itself. */
  programUri(uri: string): string {
    return this.cell(uri)?.notebookUri ?? uri;
  }

  /** Whether a URI is an open notebook's. */
  isNotebook(uri: string): boolean {
    return this.notebooks.getNotebookDocument(uri) !== undefined;
  }

  /** The notebook's program as a Python text document, for the scheduler; undefined for any other URI. */
  document(uri: string): TextDocument | undefined {
    return this.programOf(uri)?.document;
  }

  private programOf(uri: string): Program | undefined {
    const known = this.programs.get(uri);
    if (known) return known;
    const nb = this.notebooks.getNotebookDocument(uri);
    if (!nb) return undefined;
    const cells: NotebookCell[] = nb.cells.map((cell) => {
      const doc = this.notebooks.getCellTextDocument(cell);
      return { kind: cell.kind === NotebookCellKind.Code ? 'code' : 'markdown', text: doc?.getText() ?? '', ...(doc ? { language: doc.languageId } : {}) };
    });
    const program = buildNotebookProgram(cells);
    const made = { document: TextDocument.create(uri, 'python', this.versions.get(uri) ?? 1, program.text), program, cellUris: nb.cells.map((c) => c.document) };
    this.programs.set(uri, made);
    return made;
  }

  /** The notebook program a cell URI belongs to, with the mapping between the cell and the program. */
  cell(cellUri: string): CellTarget | undefined {
    const nb = this.notebooks.findNotebookDocumentForCell(cellUri);
    const found = nb ? this.programOf(nb.uri) : undefined;
    if (!nb || !found) return undefined;
    const cell = found.cellUris.indexOf(cellUri);
    const { program } = found;
    return {
      notebookUri: nb.uri,
      cell,
      program,
      toProgram: (pos) => NotebookProgram.fromCell(program, cell, pos),
      toCell: (range) => {
        const at = NotebookProgram.toCellRange(program, range);
        return at?.cell === cell ? at.at : undefined;
      },
    };
  }

  /** How a notebook program's positions are named in hovers and documents (`cell 3 line 5`); undefined for others. */
  lineLabel(uri: string): ((pos: Position) => string) | undefined {
    const found = this.programOf(uri);
    return found ? (pos) => NotebookProgram.describe(found.program, pos) : undefined;
  }

  /** A program range as a cell URI and the range within that cell. */
  locate(notebookUri: string, range: Range): { uri: string; range: Range } | undefined {
    const found = this.programOf(notebookUri);
    const at = found ? NotebookProgram.toCellRange(found.program, range) : undefined;
    return found && at ? { uri: found.cellUris[at.cell]!, range: at.at } : undefined;
  }

  /**
   * Publishes a notebook program's diagnostics on its cells: each at its range within its cell, related locations in
   * the notebook moved to their cells, and quick fixes bound to the cell they edit (a fix whose edits span several
   * cells is left out, since one code action edits one document here). Every code cell gets its list, empty ones too.
   */
  async publish(connection: Connection, notebookUri: string, diagnostics: readonly Diagnostic[]): Promise<void> {
    const found = this.programOf(notebookUri);
    if (!found) return;
    const byCell = new Map<string, Diagnostic[]>(found.program.spans.map((s) => [found.cellUris[s.cell]!, []]));
    for (const d of diagnostics) {
      const at = this.locate(notebookUri, d.range);
      if (!at) continue;
      byCell.get(at.uri)?.push({
        ...d,
        range: at.range,
        relatedInformation: d.relatedInformation?.map((r) => (r.location.uri === notebookUri ? { ...r, location: this.locate(notebookUri, r.location.range) ?? r.location } : r)),
        data: { fixes: this.cellFixes(notebookUri, (d.data as DiagnosticData | undefined)?.fixes ?? []) } satisfies DiagnosticData,
      });
    }
    const previous = this.publishedCells.get(notebookUri) ?? new Set<string>();
    for (const uri of previous) if (!byCell.has(uri)) byCell.set(uri, []);
    this.publishedCells.set(notebookUri, new Set(found.program.spans.map((s) => found.cellUris[s.cell]!)));
    await Promise.all([...byCell].map(([uri, list]) => connection.sendDiagnostics({ uri, diagnostics: list })));
  }

  private cellFixes(notebookUri: string, fixes: readonly Fix[]): Fix[] {
    const out: Fix[] = [];
    for (const fix of fixes) {
      if (fix.path !== undefined) {
        out.push(fix);
        continue;
      }
      const edits = fix.edits.map((e) => ({ edit: e, at: this.locate(notebookUri, e.range) }));
      const uris = new Set(edits.map((e) => e.at?.uri));
      if (uris.size !== 1 || edits.some((e) => !e.at)) continue;
      out.push({ ...fix, path: edits[0]!.at!.uri, edits: edits.map((e) => ({ ...e.edit, range: e.at!.range })) });
    }
    return out;
  }

  /**
   * The connection the scheduler publishes through: diagnostics for a notebook's URI go to its cells, everything
   * else passes through unchanged.
   */
  publishingConnection(connection: Connection): Connection {
    const sendDiagnostics: Connection['sendDiagnostics'] = (params) =>
      this.isNotebook(params.uri) ? this.publish(connection, params.uri, params.diagnostics) : connection.sendDiagnostics(params);
    return new Proxy(connection, { get: (target, key, receiver) => (key === 'sendDiagnostics' ? sendDiagnostics : Reflect.get(target, key, receiver)) });
  }
}

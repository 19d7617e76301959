// Jupyter notebooks as one Python program: the code cells, in order, concatenated into one text that the ordinary
// analysis reads (a model defined in one cell and trained in another is one program, as the kernel runs it), and a
// map from that program's lines back to cells. IPython syntax that is not Python (line magics, `!` shell lines, `?`
// help, cells under a non-Python cell magic) is blanked, so every program line is the same line of the same cell and
// every column is the same column: mapping a range is a subtraction. Pure: the CLI reads the file, the server gets
// the cells from the editor.

import type { Position, Range } from './graph';

export interface NotebookCell {
  readonly kind: 'code' | 'markdown' | 'raw';
  readonly text: string;
  /** The cell's own language, when the notebook or editor says (VS Code keeps one per cell). */
  readonly language?: string;
}

/** Where one notebook cell's lines are in the program. */
export interface CellSpan {
  /** The cell's index among all the notebook's cells (markdown ones included), 0-based, as in the file's `cells`. */
  readonly cell: number;
  /** The program line of the cell's first line. */
  readonly firstLine: number;
  readonly lineCount: number;
  /** The length of the cell's last line, where a range that runs on past the cell is cut. */
  readonly lastLineLength: number;
}

export interface NotebookProgram {
  /** The code cells' text, magics blanked, each cell ending in a newline. */
  readonly text: string;
  /** The code cells analysed, in order. */
  readonly spans: readonly CellSpan[];
  /** How many cells the notebook has in all. */
  readonly cellCount: number;
}

/** A position or range inside one cell: the cell's index (0-based among all cells) and the line within the cell. */
export interface CellLocation<T> {
  readonly cell: number;
  readonly at: T;
}

/** Cell magics whose body is Python (the magic times, profiles or captures it); any other cell magic is skipped. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'python', 'python3', 'pypy', 'tensorboard']);

const PYTHON_NAMES = new Set(['python', 'python3', 'ipython', 'ipython3']);

/** Whether a language name (kernelspec, language_info, a cell's language id) is Python. */
export function isPythonLanguage(name: string | undefined): boolean {
  return name === undefined || PYTHON_NAMES.has(name.toLowerCase());
}

/**
 * A line of IPython syntax that Python cannot parse: `%magic`, `!shell`, `?name` / `name?` help, `files = !ls`.
 * A comment that ends in a question mark is blanked too, which costs nothing.
 */
function isIpythonLine(line: string): boolean {
  const t = line.trim();
  if (t === '') return false;
  if (t.startsWith('%') || t.startsWith('!') || t.startsWith('?')) return true;
  if (t.endsWith('?') && !/["']/.test(t)) return true;
  return /^[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%]/.test(t);
}

/**
 * The blanked form of an IPython line: empty, or `pass` at its indentation inside a block (a `for` whose only body
 * line is `!nvidia-smi` must still parse). Either way the line keeps its place.
 */
function blankLine(line: string): string {
  const indent = /^[ \t]*/.exec(line)![0];
  return indent === '' ? '' : `${indent}pass`;
}

/** A code cell's text as Python: magics and shell lines blanked, a non-Python cell magic blanks the whole cell. */
function pythonOfCell(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const magic = /^\s*%%(\w+)/.exec(lines[0] ?? '');
  if (magic && !PYTHON_CELL_MAGICS.has(magic[1]!)) return lines.map(() => '');
  return lines.map((line) => (isIpythonLine(line) ? blankLine(line) : line));
}

/** One program from a notebook's cells: the Python code cells in order; markdown, raw and other languages skipped. */
export function buildNotebookProgram(cells: readonly NotebookCell[]): NotebookProgram {
  const parts: string[] = [];
  const spans: CellSpan[] = [];
  let line = 0;
  cells.forEach((cell, index) => {
    if (cell.kind !== 'code' || !isPythonLanguage(cell.language)) return;
    const lines = pythonOfCell(cell.text);
    spans.push({ cell: index, firstLine: line, lineCount: lines.length, lastLineLength: lines[lines.length - 1]!.length });
    parts.push(`${lines.join('\n')}\n`);
    line += lines.length;
  });
  return { text: parts.join(''), spans, cellCount: cells.length };
}

export namespace NotebookProgram {
  /** The span holding a program line (the last cell for a line past the end). */
  export function spanOfLine(program: NotebookProgram, line: number): CellSpan | undefined {
    let found: CellSpan | undefined;
    for (const span of program.spans) {
      if (span.firstLine > line) break;
      found = span;
    }
    return found;
  }

  /** A program position as a cell and a position within it. */
  export function toCell(program: NotebookProgram, pos: Position): CellLocation<Position> | undefined {
    const span = spanOfLine(program, pos.line);
    if (!span) return undefined;
    const line = Math.min(pos.line - span.firstLine, span.lineCount - 1);
    return { cell: span.cell, at: { line, character: pos.character } };
  }

  /**
   * A program range as a range in the cell where it starts. A range that runs on into later cells (a class in one cell
   * whose forward pass another cell monkey-patches in is rare; a model's range spanning cells is not) ends at the end
   * of its first cell's last line, which is where the editor can show it.
   */
  export function toCellRange(program: NotebookProgram, range: Range): CellLocation<Range> | undefined {
    const start = toCell(program, range.start);
    if (!start) return undefined;
    const span = program.spans.find((s) => s.cell === start.cell)!;
    const lastLine = span.firstLine + span.lineCount - 1;
    const end = range.end.line <= lastLine ? { line: range.end.line - span.firstLine, character: range.end.character } : { line: span.lineCount - 1, character: span.lastLineLength };
    return { cell: start.cell, at: { start: start.at, end } };
  }

  /** A program position as people name it: `cell 3 line 5` (both 1-based; cells counted with markdown ones). */
  export function describe(program: NotebookProgram, pos: Position): string {
    const at = toCell(program, pos);
    return at ? `cell ${at.cell + 1} line ${at.at.line + 1}` : `line ${pos.line + 1}`;
  }

  /** A position in a cell as a program position; undefined for a cell that is not in the program (markdown). */
  export function fromCell(program: NotebookProgram, cell: number, pos: Position): Position | undefined {
    const span = program.spans.find((s) => s.cell === cell);
    if (!span) return undefined;
    return { line: span.firstLine + Math.min(pos.line, span.lineCount - 1), character: pos.character };
  }

  /** A range in a cell as a program range. */
  export function fromCellRange(program: NotebookProgram, cell: number, range: Range): Range | undefined {
    const start = fromCell(program, cell, range.start);
    const end = fromCell(program, cell, range.end);
    return start && end ? { start, end } : undefined;
  }
}

/** A notebook file read as cells, or why it cannot be. */
export type NotebookFile = { readonly ok: true; readonly cells: readonly NotebookCell[]; readonly language?: string } | { readonly ok: false; readonly error: string };

/** A cell's `source`: nbformat stores a string or a list of lines (each with its own newline). */
function sourceText(source: unknown): string | undefined {
  if (typeof source === 'string') return source;
  if (Array.isArray(source) && source.every((s) => typeof s === 'string')) return source.join('');
  return undefined;
}

function cellKind(type: unknown): NotebookCell['kind'] | undefined {
  return type === 'code' || type === 'markdown' || type === 'raw' ? type : undefined;
}

/**
 * Reads an `.ipynb` file's JSON (nbformat 4). Invalid JSON, nbformat 3 and earlier (whose cells sit in `worksheets`),
 * a missing `cells` list and a non-Python kernel come back as one-sentence reasons; odd cells (no source, an
 * unknown type) are skipped rather than refused, as Jupyter itself tolerates them.
 */
export function parseNotebookJson(text: string): NotebookFile {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, error: `not a valid notebook: the JSON does not parse (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'not a valid notebook: expected a JSON object with "cells"' };
  const nb = json as Record<string, unknown>;
  const major = nb.nbformat;
  if (typeof major === 'number' && major < 4) {
    return { ok: false, error: `nbformat ${major} notebooks are not supported; convert it with \`jupyter nbconvert --to notebook --nbformat 4\`` };
  }
  if (!Array.isArray(nb.cells)) {
    return { ok: false, error: Array.isArray(nb.worksheets) ? 'nbformat 3 notebooks are not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`' : 'not a valid notebook: it has no "cells" list' };
  }
  const metadata = (typeof nb.metadata === 'object' && nb.metadata !== null ? nb.metadata : {}) as Record<string, { language?: unknown; name?: unknown } | undefined>;
  const declared = [metadata.kernelspec?.language, metadata.language_info?.name].find((l): l is string => typeof l === 'string');
  if (declared !== undefined && !isPythonLanguage(declared)) {
    return { ok: false, error: `its kernel language is ${declared}; Model Audit reads Python notebooks` };
  }
  const cells: NotebookCell[] = [];
  for (const raw of nb.cells as unknown[]) {
    const cell = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const kind = cellKind(cell.cell_type) ?? 'raw';
    const text = sourceText(cell.source) ?? '';
    const cellMeta = (typeof cell.metadata === 'object' && cell.metadata !== null ? cell.metadata : {}) as { vscode?: { languageId?: unknown } };
    const language = typeof cellMeta.vscode?.languageId === 'string' ? cellMeta.vscode.languageId : undefined;
    cells.push({ kind, text, ...(language ? { language } : {}) });
  }
  return { ok: true, cells, ...(declared ? { language: declared } : {}) };
}

/** Whether a path names a Jupyter notebook. */
export function isNotebookPath(path: string): boolean {
  return /\.ipynb$/i.test(path);
}

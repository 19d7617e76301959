// Reading a Jupyter notebook from disk for the CLI: the file's JSON becomes the program the analysis reads (see
// core/notebook.ts); a notebook that cannot be read that way is a usage error with its one-line reason.

import { buildNotebookProgram, type NotebookProgram, parseNotebookJson } from '../core/notebook';
import { readText, UsageError } from './files';

/** The notebook at `full` as one Python program; `shown` is the path the error message names. */
export function readNotebookProgram(full: string, shown: string): NotebookProgram {
  const parsed = parseNotebookJson(readText(full));
  if (!parsed.ok) throw new UsageError(`${shown}: ${parsed.error}`);
  return buildNotebookProgram(parsed.cells);
}

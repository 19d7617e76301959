// The `.mspec` parser: spec text → statements (model, input, output, assignments, named blocks, shape
// annotations) with source ranges. Right-hand sides are parsed by mathjs (parsed, never evaluated). It never throws:
// anything it cannot read becomes an MS010 problem with a precise range and what was expected, and the rest of the
// file is still read.

import type { Dim, Range } from '../graph';
import { type MathNode, mathNodes } from '../render/math';

export const SPEC_SYNTAX = 'MS010';
export const SPEC_UNBOUND = 'MS011';

export interface SpecProblem {
  readonly code: typeof SPEC_SYNTAX | typeof SPEC_UNBOUND;
  readonly message: string;
  readonly range: Range;
}

/** A call as written in an expression: `relu(` … `)` with its arguments' spans (offsets into the document). */
export interface LocatedCall {
  readonly name: string;
  readonly start: number;
  readonly nameEnd: number;
  readonly end: number;
  readonly args: readonly { readonly start: number; readonly end: number }[];
}

export interface SpecExpression {
  readonly node: MathNode;
  /** Offsets of the expression in the document. */
  readonly start: number;
  readonly end: number;
  /** Every call in the expression, in textual order. */
  readonly calls: readonly LocatedCall[];
}

export interface SpecShape {
  readonly dims: readonly Dim[];
  readonly range: Range;
}

interface StatementBase {
  readonly range: Range;
  readonly name: string;
  readonly nameRange: Range;
}

export type SpecStatement =
  | (StatementBase & { readonly kind: 'input'; readonly shape?: SpecShape })
  | (StatementBase & { readonly kind: 'output'; readonly names: readonly { readonly name: string; readonly range: Range }[] })
  | (StatementBase & { readonly kind: 'annotation'; readonly shape: SpecShape })
  | (StatementBase & { readonly kind: 'assign'; readonly shape?: SpecShape; readonly expr: SpecExpression })
  | (StatementBase & { readonly kind: 'block'; readonly params: readonly string[]; readonly expr: SpecExpression });

export interface SpecModel {
  readonly name: string;
  readonly nameRange: Range;
  /** The code file, as written (relative to the spec). */
  readonly path?: string;
  readonly pathRange?: Range;
  /** The `model …` line. */
  readonly headerRange: Range;
  /** From the `model` line to the last statement before the next one. */
  readonly range: Range;
  readonly statements: readonly SpecStatement[];
}

export interface SpecDocument {
  readonly models: readonly SpecModel[];
  /** Named blocks defined before the first `model` line, shared by every model in the file. */
  readonly blocks: readonly SpecStatement[];
  readonly problems: readonly SpecProblem[];
  readonly text: string;
  positionAt(offset: number): { line: number; character: number };
  rangeOf(start: number, end: number): Range;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const RESERVED = new Set(['model', 'input', 'output', 'in', 'to', 'and', 'or', 'not', 'xor', 'mod']);

export function parseSpec(text: string): SpecDocument {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionAt = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };
  const rangeOf = (start: number, end: number): Range => ({ start: positionAt(start), end: positionAt(end) });
  const problems: SpecProblem[] = [];
  const problem = (message: string, start: number, end: number) => problems.push({ code: SPEC_SYNTAX, message, range: rangeOf(start, Math.max(end, start)) });

  // Comments become spaces, so offsets stay true; a `#` inside a string is text.
  const clean = blankComments(text);
  const models: { header: Omit<SpecModel, 'statements' | 'range'>; statements: SpecStatement[]; end: number }[] = [];
  const blocks: SpecStatement[] = [];

  for (const logical of logicalLines(clean, lineStarts)) {
    const { start, end } = logical;
    const line = clean.slice(start, end);
    if (line.trim() === '') continue;
    const lead = start + (line.length - line.trimStart().length);
    const body = line.trim();
    const bodyEnd = lead + body.length;
    const at = (index: number) => lead + index;

    if (/^model\b/.test(body)) {
      const m = new RegExp(`^model\\s+(${NAME}(?:\\.${NAME})*)(?:\\s+in\\s+"([^"]*)")?\\s*$`).exec(body);
      if (!m) {
        const nameMatch = new RegExp(`^model\\s+(${NAME})`).exec(body);
        const after = nameMatch ? nameMatch[0].length : 'model'.length;
        problem(nameMatch ? 'Expected `in "path/to/code.py"` after the model name (or nothing).' : 'Expected a model name after `model`, as in `model MnistMLP in "mnist.py"`.', at(after), bodyEnd);
        if (!nameMatch) continue;
        models.push({ header: { name: nameMatch[1], nameRange: rangeOf(at(6 + body.slice(6).indexOf(nameMatch[1])), at(6 + body.slice(6).indexOf(nameMatch[1]) + nameMatch[1].length)), headerRange: rangeOf(lead, bodyEnd) }, statements: [], end: bodyEnd });
        continue;
      }
      const nameAt = body.indexOf(m[1], 5);
      const pathAt = m[2] !== undefined ? body.lastIndexOf(`"${m[2]}"`) : -1;
      models.push({
        header: {
          name: m[1],
          nameRange: rangeOf(at(nameAt), at(nameAt + m[1].length)),
          path: m[2],
          pathRange: pathAt >= 0 ? rangeOf(at(pathAt + 1), at(pathAt + 1 + m[2]!.length)) : undefined,
          headerRange: rangeOf(lead, bodyEnd),
        },
        statements: [],
        end: bodyEnd,
      });
      continue;
    }

    const statement = parseStatement(body, lead, bodyEnd, text, clean, rangeOf, problem);
    if (!statement) continue;
    const current = models[models.length - 1];
    if (current) {
      current.statements.push(statement);
      current.end = bodyEnd;
    } else if (statement.kind === 'block') {
      blocks.push(statement);
    } else {
      problem('Expected `model NAME in "path"` before the first statement: a spec says which model it describes.', lead, bodyEnd);
    }
  }

  return {
    models: models.map((m) => ({ ...m.header, statements: m.statements, range: { start: m.header.headerRange.start, end: positionAt(m.end) } })),
    blocks,
    problems,
    text,
    positionAt,
    rangeOf,
  };
}

function parseStatement(
  body: string,
  lead: number,
  bodyEnd: number,
  original: string,
  clean: string,
  rangeOf: (s: number, e: number) => Range,
  problem: (message: string, start: number, end: number) => void,
): SpecStatement | undefined {
  const at = (index: number) => lead + index;
  const range = rangeOf(lead, bodyEnd);
  const shapeOf = (raw: string | undefined, index: number): SpecShape | undefined => {
    if (raw === undefined) return undefined;
    return parseShape(raw, at(index), rangeOf, problem);
  };

  let m = new RegExp(`^input\\s+(${NAME})\\s*(?::\\s*(\\[[^\\]]*\\]))?\\s*$`).exec(body);
  if (m) {
    const nameAt = body.indexOf(m[1], 5);
    return { kind: 'input', name: m[1], nameRange: rangeOf(at(nameAt), at(nameAt + m[1].length)), range, shape: shapeOf(m[2], m[2] ? body.lastIndexOf(m[2]) : 0) };
  }
  if (/^input\b/.test(body)) {
    problem('Expected `input NAME` or `input NAME: [dims]`, as in `input x: [784]`.', at(5), bodyEnd);
    return undefined;
  }
  m = new RegExp(`^output\\s+(${NAME}(?:\\s*,\\s*${NAME})*)\\s*$`).exec(body);
  if (m) {
    const names: { name: string; range: Range }[] = [];
    const re = new RegExp(NAME, 'g');
    const list = m[1];
    const listAt = body.indexOf(list, 6);
    for (let hit = re.exec(list); hit; hit = re.exec(list)) names.push({ name: hit[0], range: rangeOf(at(listAt + hit.index), at(listAt + hit.index + hit[0].length)) });
    return { kind: 'output', name: names[0].name, nameRange: names[0].range, names, range };
  }
  if (/^output\b/.test(body)) {
    problem('Expected `output NAME` (or several names separated by commas).', at(6), bodyEnd);
    return undefined;
  }
  // A named block: `block(z) = z + relu(Linear(z, 256))`.
  m = new RegExp(`^(${NAME})\\s*\\(\\s*(${NAME}(?:\\s*,\\s*${NAME})*)?\\s*\\)\\s*=(?!=)`).exec(body);
  if (m) {
    const expr = parseExpression(original, clean, at(m[0].length), bodyEnd, rangeOf, problem);
    if (!expr) return undefined;
    return { kind: 'block', name: m[1], nameRange: rangeOf(lead, at(m[1].length)), params: (m[2] ?? '').split(',').map((p) => p.trim()).filter(Boolean), range, expr };
  }
  // An assignment, with an optional shape: `h1: [256] = relu(Linear(x, 256))`.
  m = new RegExp(`^(${NAME})\\s*(?::\\s*(\\[[^\\]]*\\]))?\\s*=(?!=)`).exec(body);
  if (m) {
    if (RESERVED.has(m[1])) {
      problem(`\`${m[1]}\` is a keyword and cannot be assigned; choose another name.`, lead, at(m[1].length));
      return undefined;
    }
    const expr = parseExpression(original, clean, at(m[0].length), bodyEnd, rangeOf, problem);
    if (!expr) return undefined;
    return { kind: 'assign', name: m[1], nameRange: rangeOf(lead, at(m[1].length)), shape: shapeOf(m[2], m[2] ? body.indexOf(m[2]) : 0), range, expr };
  }
  // A shape annotation: `W1: [256, 784]` (a parameter) or `h: [B, 256]` (a value).
  m = new RegExp(`^(${NAME})\\s*:\\s*(\\[[^\\]]*\\])\\s*$`).exec(body);
  if (m) {
    const shape = shapeOf(m[2], body.indexOf(m[2]));
    if (!shape) return undefined;
    return { kind: 'annotation', name: m[1], nameRange: rangeOf(lead, at(m[1].length)), range, shape };
  }
  const nameOnly = new RegExp(`^(${NAME})\\s*(:)?`).exec(body);
  if (nameOnly && nameOnly[2]) {
    problem('Expected a shape in brackets after `:`, as in `x: [784]` or `h: [B, T, 512]`.', at(nameOnly[0].length), bodyEnd);
  } else if (nameOnly) {
    problem(`Expected \`=\` after \`${nameOnly[1]}\`: a statement is \`NAME = expression\`, \`input NAME: [dims]\`, \`output NAME\`, \`block(z) = expression\` or \`model NAME in "path"\`.`, at(nameOnly[0].length), bodyEnd);
  } else {
    problem('Expected a statement: `NAME = expression`, `input NAME: [dims]`, `output NAME`, `block(z) = expression` or `model NAME in "path"`.', lead, bodyEnd);
  }
  return undefined;
}

/** `[B, T, 512]` → ['T', 512]: a leading batch dimension (B, N, batch) is dropped, as shapes are per sample. */
function parseShape(raw: string, start: number, rangeOf: (s: number, e: number) => Range, problem: (message: string, start: number, end: number) => void): SpecShape | undefined {
  const inner = raw.slice(1, -1);
  const items = inner.split(',').map((s) => s.trim());
  if (inner.trim() === '') return { dims: [], range: rangeOf(start, start + raw.length) };
  const dims: Dim[] = [];
  let offset = 1;
  for (const [i, item] of inner.split(',').entries()) {
    const trimmed = items[i];
    if (trimmed === '') {
      problem('Expected a dimension (a number or a name) between the commas.', start + offset, start + offset + item.length);
      return undefined;
    }
    dims.push(/^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed);
    offset += item.length + 1;
  }
  if (dims.length > 1 && typeof dims[0] === 'string' && /^(B|N|batch|batch_size)$/.test(dims[0])) dims.shift();
  return { dims, range: rangeOf(start, start + raw.length) };
}

function parseExpression(
  original: string,
  clean: string,
  start: number,
  end: number,
  rangeOf: (s: number, e: number) => Range,
  problem: (message: string, start: number, end: number) => void,
): SpecExpression | undefined {
  const raw = clean.slice(start, end);
  if (raw.trim() === '') {
    problem('Expected an expression after `=`, as in `relu(Linear(x, 256))`.', start, end);
    return undefined;
  }
  // Newlines inside brackets continue the line; `·` and `×` are the printed forms of `*`. Each keeps its length.
  const source = raw.replace(/[\r\n]/g, ' ').replace(/[·×]/g, '*').replace(/⊙/g, '*');
  let node: MathNode;
  try {
    node = mathNodes().parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const char = /\(char (\d+)\)/.exec(message);
    const at = char ? Math.min(start + Number(char[1]) - 1, end) : start;
    const what = message.replace(/\s*\(char \d+\)/, '');
    problem(`Spec syntax: ${what}${what.endsWith('.') ? '' : '.'}`, at, Math.max(at + 1, Math.min(end, at + 1)));
    return undefined;
  }
  const type = (node as unknown as { type: string }).type;
  if (type === 'AssignmentNode' || type === 'FunctionAssignmentNode' || type === 'BlockNode') {
    problem('Expected one expression on the right of `=`; write each assignment on its own line.', start, end);
    return undefined;
  }
  void original;
  const trimmedStart = start + (raw.length - raw.trimStart().length);
  return { node, start: trimmedStart, end: start + raw.trimEnd().length, calls: locateCalls(source, start) };
}

/** Finds `name(` … `)` in an expression, with the spans of its top-level arguments. */
export function locateCalls(source: string, base: number): LocatedCall[] {
  const calls: LocatedCall[] = [];
  const ident = /[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\u00C0-\uFFFF]*/y;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") {
      const close = source.indexOf(c, i + 1);
      i = close < 0 ? source.length : close;
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i + 1 < source.length && /[0-9.eE]/.test(source[i + 1])) i++;
      continue;
    }
    ident.lastIndex = i;
    const m = ident.exec(source);
    if (!m) continue;
    let j = i + m[0].length;
    while (j < source.length && source[j] === ' ') j++;
    if (source[j] === '(') {
      const args: { start: number; end: number }[] = [];
      let depth = 0;
      let argStart = j + 1;
      let k = j;
      for (; k < source.length; k++) {
        const ch = source[k];
        if (ch === '"' || ch === "'") {
          const close = source.indexOf(ch, k + 1);
          k = close < 0 ? source.length : close;
          continue;
        }
        if (ch === '(' || ch === '[') depth++;
        else if (ch === ')' || ch === ']') {
          depth--;
          if (depth === 0) break;
        } else if (ch === ',' && depth === 1) {
          args.push({ start: base + argStart, end: base + k });
          argStart = k + 1;
        }
      }
      if (source.slice(argStart, k).trim() !== '' || args.length > 0) args.push({ start: base + argStart, end: base + k });
      const trimmed = args.map((a) => {
        const text = source.slice(a.start - base, a.end - base);
        return { start: a.start + (text.length - text.trimStart().length), end: a.end - (text.length - text.trimEnd().length) };
      });
      calls.push({ name: m[0], start: base + i, nameEnd: base + i + m[0].length, end: base + Math.min(k + 1, source.length), args: trimmed });
    }
    i += m[0].length - 1;
  }
  return calls;
}

/** Replaces `#` comments with spaces, keeping strings intact. */
function blankComments(text: string): string {
  let out = '';
  let inString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === inString || c === '\n') inString = undefined;
      out += c;
    } else if (c === '"') {
      inString = c;
      out += c;
    } else if (c === '#') {
      let j = i;
      while (j < text.length && text[j] !== '\n') j++;
      out += ' '.repeat(j - i);
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Physical lines joined while brackets are open, so an expression may continue over several lines. */
function logicalLines(clean: string, lineStarts: readonly number[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start: number | undefined;
  let depth = 0;
  for (let l = 0; l < lineStarts.length; l++) {
    const s = lineStarts[l];
    let e = l + 1 < lineStarts.length ? lineStarts[l + 1] - 1 : clean.length;
    if (e > s && clean[e - 1] === '\r') e--;
    if (start === undefined) start = s;
    let inString = false;
    for (let i = s; i < e; i++) {
      const c = clean[i];
      if (c === '"') inString = !inString;
      else if (!inString && (c === '(' || c === '[')) depth++;
      else if (!inString && (c === ')' || c === ']')) depth = Math.max(0, depth - 1);
    }
    // A line that starts a new statement keyword ends an unclosed one, so one missing `)` does not eat the file.
    const next = l + 1 < lineStarts.length ? clean.slice(lineStarts[l + 1], (lineStarts[l + 2] ?? clean.length + 1) - 1) : '';
    if (depth === 0 || l + 1 >= lineStarts.length || /^\s*(model|input|output)\b/.test(next) || new RegExp(`^\\s*${NAME}\\s*(:\\s*\\[[^\\]]*\\])?\\s*=(?!=)`).test(next) || next.trim() === '') {
      out.push({ start, end: e });
      start = undefined;
      depth = 0;
    }
  }
  return out;
}

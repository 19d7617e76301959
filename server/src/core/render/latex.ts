// Prints equation trees as LaTeX (KaTeX-compatible) for `render --format latex` and the JSON output.

import { Ops } from '../ops';
import type { Equation, EquationLine } from './equation';
import type { MathNode } from './math';

interface Node {
  type: string;
  name?: string;
  op?: string;
  fn?: { name?: string } | string;
  args?: MathNode[];
  content?: MathNode;
  value?: unknown;
}

const LATEX_FUNCTIONS: Record<string, string> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  softmax: '\\operatorname{softmax}',
  log_softmax: '\\operatorname{log\\,softmax}',
};

export function symbolToLatex(name: string): string {
  const m = /^([A-Za-z]+)_(\d+)$/.exec(name);
  if (m) return `${m[1]}_{${m[2]}}`;
  const p = /^([A-Za-z]+)('+)$/.exec(name);
  if (p) return p[2].length === 1 && p[1].length === 1 ? name : `${symbolToLatex(p[1])}${p[2]}`;
  if (/^[A-Za-z]$/.test(name)) return name;
  // A letter with a named subscript, as papers write sizes: d_k → d_{k}, d_model → d_{\mathit{model}}.
  const sub = /^([A-Za-z])_([A-Za-z][A-Za-z0-9]*)$/.exec(name);
  if (sub) return `${sub[1]}_{${sub[2].length === 1 ? sub[2] : `\\mathit{${sub[2]}}`}}`;
  return `\\mathit{${escapeText(name)}}`;
}

function escapeText(text: string): string {
  return text.replace(/[\\{}_^#$%&~]/g, (c) => (c === '\\' ? '\\backslash ' : `\\${c}`));
}

/** Greek letters and other non-ASCII characters in op symbols, as LaTeX (KaTeX refuses Unicode in math mode). */
const SYMBOL_CHARACTERS: Record<string, string> = { 'σ': '\\sigma', '−': '-', '⊙': '\\odot', '·': '\\cdot' };

function functionLatex(name: string): string {
  if (name.startsWith('opaque:')) return `\\langle\\mathtt{${escapeText(name.slice('opaque:'.length))}}\\rangle`;
  if (name.startsWith('block:')) return blockLatex(name);
  if (LATEX_FUNCTIONS[name]) return LATEX_FUNCTIONS[name];
  const symbol = Ops.info(name).symbol;
  const text = symbol === '+' || symbol === '·' ? name : symbol;
  // An operator name in roman type, with any Greek letter set as a symbol after it: hardσ → \operatorname{hard}\sigma.
  const parts = text.split(/([^\x20-\x7e])/).filter((part) => part !== '');
  return parts.map((part) => SYMBOL_CHARACTERS[part] ?? (/^[\x20-\x7e]+$/.test(part) ? `\\operatorname{${escapeText(part)}}` : '')).join('');
}

/** A block's function name: \operatorname{Block}, \operatorname{Bottleneck}', and with a power \operatorname{Block}^{6}. */
export function blockLatex(fn: string): string {
  const m = /^block:([A-Za-z0-9_]+)('*)(?:\^(\d+))?$/.exec(fn);
  if (!m) return `\\operatorname{${escapeText(fn)}}`;
  const primes = m[2] ? `^{${'\\prime'.repeat(m[2].length)}${m[3] ? `\\,${m[3]}` : ''}}` : m[3] ? `^{${m[3]}}` : '';
  return `\\operatorname{${escapeText(m[1])}}${primes}`;
}

function isSum(node: Node): boolean {
  return node.type === 'OperatorNode' && (node.op === '+' || node.op === '-');
}

function wrap(expr: MathNode | undefined): string {
  if (!expr) return '?';
  const t = exprToLatex(expr);
  return isSum(expr as unknown as Node) ? `\\left(${t}\\right)` : t;
}

export function exprToLatex(expr: MathNode): string {
  const node = expr as unknown as Node;
  switch (node.type) {
    case 'SymbolNode':
      return symbolToLatex(node.name ?? '?');
    case 'ConstantNode':
      return String(node.value);
    case 'ParenthesisNode':
      return `\\left(${exprToLatex(node.content!)}\\right)`;
    case 'OperatorNode': {
      const args = node.args ?? [];
      if (node.op === '+' || node.op === '-') return args.map(exprToLatex).join(node.op === '+' ? ' + ' : ' - ');
      if (node.op === '.*') return args.map(wrap).join(' \\odot ');
      if (node.op === '/') return `\\frac{${exprToLatex(args[0])}}{${exprToLatex(args[1])}}`;
      if (node.op === '^') return `{${wrap(args[0])}}^{${exprToLatex(args[1])}}`;
      if (node.op === '*') {
        const right = args[1] as unknown as Node | undefined;
        const sep = right && (right.type === 'SymbolNode' || right.type === 'ConstantNode') ? ' ' : ' \\cdot ';
        return `${wrap(args[0])}${sep}${wrap(args[1])}`;
      }
      return args.map(exprToLatex).join(` ${node.op} `);
    }
    case 'FunctionNode': {
      const fn = typeof node.fn === 'string' ? node.fn : node.fn?.name ?? 'f';
      const args = node.args ?? [];
      if (fn === 'matrix_transpose') {
        const inner = args[0] as unknown as Node | undefined;
        const text = exprToLatex(args[0]);
        return inner && (inner.type === 'SymbolNode' || inner.type === 'FunctionNode') ? `{${text}}^{\\top}` : `\\left(${text}\\right)^{\\top}`;
      }
      if (fn === 'sqrt') return `\\sqrt{${exprToLatex(args[0])}}`;
      if (fn === 'conv' || fn === 'convT') return `${exprToLatex(args[0])} ${fn === 'conv' ? '\\ast' : '\\ast^{\\top}'} ${wrap(args[1])}`;
      return `${functionLatex(fn)}\\left(${args.map(exprToLatex).join(', ')}\\right)`;
    }
    default:
      return '?';
  }
}

export function lineToLatex(line: EquationLine): string {
  const name = line.params ? `${blockLatex(`block:${line.name}`)}\\left(${line.params.map(symbolToLatex).join(', ')}\\right)` : symbolToLatex(line.name);
  return `${name} = ${exprToLatex(line.expr)}`;
}

/** A closed-form line followed by the values it keeps named, as LaTeX. */
function withWhere(line: string, where: readonly EquationLine[]): string {
  return where.length > 0 ? `${line},\\quad\\text{where }${[...where].reverse().map(lineToLatex).join(',\\ ')}` : line;
}

export interface LatexRendering {
  /** One line: the closed form, then each block's definition. */
  readonly text: string;
  /** The closed form as display lines: each block's definition (inner first), the outputs, then the named values. */
  readonly lines: readonly string[];
  readonly steps: readonly string[];
  /** The collapsed form and its combined parameters, one per line, when affine maps collapse. */
  readonly collapsed?: readonly string[];
}

/** The closed form on one line, as LaTeX. */
export function closedFormToLatex(eq: Equation): string {
  const closed = [...eq.closed, ...[...eq.where].reverse()].map(lineToLatex).join(',\\quad ') || 'y = ?';
  const definitions = [...eq.definitions].reverse().map((d) => withWhere(lineToLatex(d.line), d.where));
  return [closed, ...definitions].join(';\\quad ');
}

/** The closed form as display lines: each block's definition (inner first), the outputs, then the named values. */
export function closedFormLinesToLatex(eq: Equation): string[] {
  return [...eq.definitions.flatMap((d) => [lineToLatex(d.line), ...[...d.where].reverse().map(lineToLatex)]), ...eq.closed.map(lineToLatex), ...[...eq.where].reverse().map(lineToLatex)];
}

export function renderLatex(eq: Equation): LatexRendering {
  return {
    text: closedFormToLatex(eq),
    lines: closedFormLinesToLatex(eq),
    collapsed: eq.collapsed ? [...eq.collapsed.lines, ...eq.collapsed.collapses.flatMap((c) => c.definitions)].map(lineToLatex) : undefined,
    steps: [...eq.definitions.flatMap((d) => d.steps), ...eq.steps, ...eq.outputs].map(lineToLatex),
  };
}

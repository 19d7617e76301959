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
  if (p) return `${p[1]}${'\\prime'.repeat(0)}${p[2]}`;
  if (/^[A-Za-z]$/.test(name)) return name;
  return `\\mathit{${escapeText(name)}}`;
}

function escapeText(text: string): string {
  return text.replace(/[\\{}_^#$%&~]/g, (c) => (c === '\\' ? '\\backslash ' : `\\${c}`));
}

function functionLatex(name: string): string {
  if (name.startsWith('opaque:')) return `\\langle\\mathtt{${escapeText(name.slice('opaque:'.length))}}\\rangle`;
  if (LATEX_FUNCTIONS[name]) return LATEX_FUNCTIONS[name];
  const symbol = Ops.info(name).symbol;
  return `\\operatorname{${escapeText(symbol === '+' || symbol === '·' ? name : symbol)}}`;
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
      if (fn === 'conv' || fn === 'convT') return `${exprToLatex(args[0])} ${fn === 'conv' ? '\\ast' : '\\ast^{\\top}'} ${wrap(args[1])}`;
      return `${functionLatex(fn)}\\left(${args.map(exprToLatex).join(', ')}\\right)`;
    }
    default:
      return '?';
  }
}

export function lineToLatex(line: EquationLine): string {
  return `${symbolToLatex(line.name)} = ${exprToLatex(line.expr)}`;
}

export interface LatexRendering {
  readonly text: string;
  readonly steps: readonly string[];
}

export function renderLatex(eq: Equation): LatexRendering {
  return {
    text: [...eq.closed, ...[...eq.where].reverse()].map(lineToLatex).join(',\\quad ') || 'y = ?',
    steps: [...eq.steps, ...eq.outputs].map(lineToLatex),
  };
}

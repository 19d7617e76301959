// Prints equation trees as Unicode text for hovers, code lenses and the CLI: W₂·ReLU(W₁x + b₁) + b₂.

import { Ops } from '../ops';
import type { Equation, EquationLine } from './equation';
import type { MathNode } from './math';

const SUBSCRIPT: Record<string, string> = { '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉' };
const PRIME: Record<string, string> = { "'": '′', "''": '″', "'''": '‴' };
const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** A block's function name as printed: Block, Bottleneck′, and with a power Block⁶. */
export function blockToUnicode(fn: string): string {
  const m = /^block:([^^]+)(?:\^(\d+))?$/.exec(fn);
  if (!m) return fn;
  const name = m[1].replace(/'+$/, (p) => PRIME[p] ?? p);
  return m[2] ? name + [...m[2]].map((d) => SUPERSCRIPT[d]).join('') : name;
}

/** W_12 → W₁₂, W'' → W″, h_3 → h₃. */
export function symbolToUnicode(name: string): string {
  const m = /^([A-Za-z]+)_(\d+)$/.exec(name);
  if (m) return m[1] + [...m[2]].map((d) => SUBSCRIPT[d]).join('');
  const p = /^([A-Za-z]+)('+)$/.exec(name);
  if (p) return p[1] + (PRIME[p[2]] ?? p[2]);
  return name;
}

interface Node {
  type: string;
  name?: string;
  op?: string;
  fn?: { name?: string } | string;
  args?: MathNode[];
  content?: MathNode;
  value?: unknown;
}

function fnName(node: Node): string {
  const fn = node.fn;
  return typeof fn === 'string' ? fn : fn?.name ?? 'f';
}

/** Whether a node prints as one token (a symbol or a call), so juxtaposition `W₁x` or `W₂·ReLU(…)` reads clearly. */
function isAtom(node: Node): boolean {
  return node.type === 'SymbolNode' || node.type === 'ConstantNode';
}

function isSymbolProduct(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'SymbolNode') return true;
  return node.type === 'OperatorNode' && node.op === '*' && (node.args ?? []).every((a) => isSymbolProduct(a as unknown as Node));
}

function isQuotient(node: Node | undefined): boolean {
  return node?.type === 'OperatorNode' && node.op === '/';
}

function isSum(node: Node): boolean {
  return node.type === 'OperatorNode' && (node.op === '+' || node.op === '-');
}

export function functionSymbol(name: string): string {
  if (name.startsWith('opaque:')) return `‹${name.slice('opaque:'.length)}›`;
  if (name.startsWith('block:')) return blockToUnicode(name);
  return Ops.info(name).symbol === name ? name : Ops.info(name).symbol;
}

export function exprToUnicode(expr: MathNode): string {
  const node = expr as unknown as Node;
  switch (node.type) {
    case 'SymbolNode':
      return symbolToUnicode(node.name ?? '?');
    case 'ConstantNode':
      return String(node.value);
    case 'ParenthesisNode':
      return `(${exprToUnicode(node.content!)})`;
    case 'OperatorNode': {
      const args = node.args ?? [];
      if (node.op === '+' || node.op === '-') {
        return args.map((a, i) => (i === 0 ? exprToUnicode(a) : `${node.op === '-' ? '−' : '+'} ${exprToUnicode(a)}`)).join(' ');
      }
      if (node.op === '.*') return args.map((a) => wrapIfSum(a)).join(' ⊙ ');
      if (node.op === '/') return `${wrapIfSum(args[0])}/${wrapUnlessAtom(args[1])}`;
      if (node.op === '^') return `${wrapUnlessAtom(args[0])}${toSuperscript(exprToUnicode(args[1]))}`;
      if (node.op === '*') {
        const [left, right] = args as unknown as Node[];
        // A quotient inside a product is parenthesized, so (q/√d)·kᵀ never reads as q/(√d·kᵀ).
        const l = isQuotient(left) ? `(${exprToUnicode(args[0])})` : wrapIfSum(args[0]);
        const r = isQuotient(right) ? `(${exprToUnicode(args[1])})` : wrapIfSum(args[1]);
        // A weight next to a plain symbol reads as juxtaposition (W₁x, W₃W₂); anything longer gets a dot.
        if (right && isAtom(right) && (left?.type === 'SymbolNode' || isSymbolProduct(left))) return `${l}${r}`;
        return `${l}·${r}`;
      }
      return args.map(exprToUnicode).join(` ${node.op} `);
    }
    case 'FunctionNode': {
      const name = fnName(node);
      const args = node.args ?? [];
      if (name === 'matrix_transpose') {
        const inner = args[0] as unknown as Node | undefined;
        const text = exprToUnicode(args[0]);
        return inner && (inner.type === 'SymbolNode' || inner.type === 'FunctionNode') ? `${text}ᵀ` : `(${text})ᵀ`;
      }
      if (name === 'sqrt') return `√${wrapUnlessAtom(args[0])}`;
      if (name === 'conv' || name === 'convT') {
        const op = name === 'conv' ? '∗' : '∗ᵀ';
        return `${exprToUnicode(args[0])}${op}${wrapIfSum(args[1])}`;
      }
      return `${functionSymbol(name)}(${args.map(exprToUnicode).join(', ')})`;
    }
    default:
      return '?';
  }
}

/** A symbol, a constant or a call stays bare (√d_k, x/√d_k); anything else is parenthesized. */
function wrapUnlessAtom(expr: MathNode | undefined): string {
  if (!expr) return '?';
  const node = expr as unknown as Node;
  const text = exprToUnicode(expr);
  return isAtom(node) || node.type === 'FunctionNode' || node.type === 'ParenthesisNode' ? text : `(${text})`;
}

/** 1.5 → ¹·⁵ is unreadable, so only digits and a minus sign become superscripts; anything else is written ^(…). */
function toSuperscript(text: string): string {
  return /^-?\d+$/.test(text) ? [...text].map((c) => (c === '-' ? '⁻' : SUPERSCRIPT[c])).join('') : `^(${text})`;
}

function wrapIfSum(expr: MathNode | undefined): string {
  if (!expr) return '?';
  const text = exprToUnicode(expr);
  return isSum(expr as unknown as Node) ? `(${text})` : text;
}

export function lineToUnicode(line: EquationLine): string {
  const name = line.params ? `${blockToUnicode(`block:${line.name}`)}(${line.params.join(', ')})` : symbolToUnicode(line.name);
  return `${name} = ${exprToUnicode(line.expr)}`;
}

/** A closed-form line followed by the values it keeps named: y = …, where h₃ = …, h₁ = …. */
function withWhere(lines: string, where: readonly EquationLine[]): string {
  return where.length > 0 ? `${lines}, where ${[...where].reverse().map(lineToUnicode).join(', ')}` : lines;
}

export interface UnicodeRendering {
  /** One line: the closed form, e.g. y = W₃·(W₂·ReLU(W₁x + b₁) + b₂) + b₃. */
  readonly text: string;
  /** h₁ = ReLU(W₁x + b₁), …, y = W₃h₂ + b₃. */
  readonly steps: readonly string[];
  /** y = W′·ReLU(W₁x + b₁) + b′, W′ = W₃W₂, b′ = W₃b₂ + b₃ — when affine maps collapse. */
  readonly collapsed?: string;
}

/** The closed form on one line: the outputs with their named values, then each block's definition. */
export function closedFormToUnicode(eq: Equation): string {
  const closed = withWhere(eq.closed.map(lineToUnicode).join('; ') || 'y = ?', eq.where);
  // The model's own line comes first (a code lens shows its start), then each block's definition, outermost first.
  const definitions = [...eq.definitions].reverse().map((d) => withWhere(lineToUnicode(d.line), d.where));
  return [closed, ...definitions].join('; ');
}

export function renderUnicode(eq: Equation): UnicodeRendering {
  const text = closedFormToUnicode(eq);
  const steps = [...eq.definitions.flatMap((d) => d.steps), ...eq.steps, ...eq.outputs].map(lineToUnicode);
  const collapsed = eq.collapsed
    ? [...eq.collapsed.lines.map(lineToUnicode), ...eq.collapsed.collapses.flatMap((c) => c.definitions.map(lineToUnicode))].join(', ')
    : undefined;
  return { text, steps, collapsed };
}

/** Shortens a line for a code lens by eliding its middle. */
export function elideMiddle(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const keep = max - 1;
  const head = Math.ceil(keep * 0.6);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

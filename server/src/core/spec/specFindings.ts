// Turns the spec diff's differences into findings for both files: in the spec at the spec's line, in the code at
// the code's operation, each with `related` pointing at the other and a message that says both sides ("spec: relu
// after Linear(…, 128) (line 6); code applies none after fc2"). Quick fixes go both ways where they are safe:
// change the code to match the spec (insert the activation) or update the spec line to match the code.

import { defaultSeverityOf } from '../codes';
import type { Finding, Fix } from '../findings';
import type { AttrValue, GraphNode, ModelGraph, Range, TextEdit } from '../graph';
import type { SpecDifference } from './alignSpecToGraph';
import { locateCalls } from './parseSpec';
import { specSpelling } from './specOps';

export interface DiffSides {
  readonly specPath: string;
  readonly specText: string;
  readonly spec: ModelGraph;
  readonly codePath: string;
  readonly code: ModelGraph;
  /** A short name for the code file in messages (`mnist.py`). */
  readonly codeName: string;
  readonly specName: string;
}

/** The spec's op as a reader recognises it: `Linear(…, 128)`, `relu`, `Conv2d(…, 6, 5)`. */
export function describeSpecOp(node: GraphNode | undefined): string {
  if (!node) return 'the input';
  if (node.category === 'input') return `input ${String(node.attrs.name ?? node.label ?? 'x')}`;
  if (node.op === 'opaque') return node.label ?? 'an opaque step';
  const name = specSpelling(node.op);
  const a = node.attrs;
  if (node.op === 'linear' && a.out !== undefined) return `${name}(…, ${String(a.out)})`;
  if (/^conv/.test(node.op) && a.out !== undefined) return `${name}(…, ${String(a.out)}${a.kernel !== undefined ? `, ${fmt(a.kernel)}` : ''})`;
  if (node.op === 'add') return 'the residual `+`';
  return name;
}

/** The code's op as its author recognises it: the layer's attribute path (`fc2`) or the op (`relu`). */
export function describeCodeOp(node: GraphNode | undefined): string {
  if (!node) return 'the input';
  if (node.category === 'input') return `input ${String(node.attrs.name ?? node.label ?? 'x')}`;
  if (node.module && node.category !== 'activation') return node.module;
  if (node.module) return `${node.op} (${node.module})`;
  if (node.op === 'opaque') return node.label ?? 'an opaque step';
  const op = specSpelling(node.op);
  const a = node.attrs;
  if (node.op === 'linear' && a.out !== undefined) return `${op}(…, ${String(a.out)})`;
  return op;
}

function fmt(v: AttrValue | undefined): string {
  if (v === undefined || v === null) return 'none';
  if (Array.isArray(v)) return v.every((x) => x === v[0]) ? String(v[0]) : `[${v.join(', ')}]`;
  return String(v);
}

function line(range: Range | undefined): number {
  return (range?.start.line ?? 0) + 1;
}

function codeRange(node: GraphNode | undefined, graph: ModelGraph): Range {
  if (!node || node.category === 'input') return graph.nameRange;
  return node.site?.range ?? node.range;
}

function specRange(node: GraphNode | undefined, graph: ModelGraph): Range {
  if (!node) return graph.nameRange;
  return node.range;
}

export interface SideFindings {
  readonly spec: Finding[];
  readonly code: Finding[];
}

export function specDiffFindings(differences: readonly SpecDifference[], sides: DiffSides): SideFindings {
  const spec: Finding[] = [];
  const code: Finding[] = [];
  for (const d of differences) {
    const sRange = specRange(d.spec ?? d.anchor, sides.spec);
    // Widths and kernels are written where the layer is built, so MS004 points there.
    const cRange = d.code === 'MS004' && d.codeNode?.defRange ? d.codeNode.defRange : codeRange(d.codeNode ?? d.anchor, sides.code);
    const at = `${sides.codeName}:${line(cRange)}`;
    const specAt = `line ${line(sRange)}`;
    let message: string;
    const specFixes: Fix[] = [];
    const codeFixes: Fix[] = [];
    switch (d.code) {
      case 'MS001': {
        const before = d.spec ? inputNode(sides.spec, d.spec) : undefined;
        message = `spec: ${describeSpecOp(d.spec)} after ${describeSpecOp(before)} (${specAt}); code applies none after ${describeCodeOp(d.anchor)} (${at})`;
        const insert = d.spec?.op === 'relu' ? (d.anchor?.site?.insertActivation ?? d.anchor?.insertActivation) : undefined;
        if (insert) codeFixes.push({ title: `Change the code to match the spec: ${insert.description}`, edits: insert.edits, isPreferred: true });
        const unwrap = d.spec ? unwrapSpecCall(sides.specText, d.spec) : undefined;
        if (unwrap) specFixes.push({ title: `Update the spec to match the code: remove ${describeSpecOp(d.spec)}`, edits: [unwrap] });
        break;
      }
      case 'MS002': {
        const before = d.codeNode ? inputNode(sides.code, d.codeNode) : undefined;
        message = `code: ${describeCodeOp(d.codeNode)} after ${describeCodeOp(before)} (${at}); spec has none after ${describeSpecOp(d.anchor)} (${specAt})`;
        const wrap = d.codeNode && d.anchor ? wrapSpecNode(sides.specText, d.anchor, d.codeNode) : undefined;
        if (wrap) specFixes.push({ title: `Update the spec to match the code: add ${specSpelling(d.codeNode!.op)} after ${describeSpecOp(d.anchor)}`, edits: [wrap] });
        const remove = d.codeNode?.edits?.remove;
        if (remove) codeFixes.push({ title: `Change the code to match the spec: ${remove.description}`, edits: remove.edits });
        break;
      }
      case 'MS003': {
        message = `spec: ${describeSpecOp(d.spec)} (${specAt}); code: ${describeCodeOp(d.codeNode)} (${at}) applies ${specSpelling(d.codeNode!.op)} where the spec says ${specSpelling(d.spec!.op)}`;
        const rename = d.spec && d.codeNode && d.spec.category === 'activation' && d.codeNode.category === 'activation' ? renameSpecCall(sides.specText, d.spec, specSpelling(d.codeNode.op)) : undefined;
        if (rename) specFixes.push({ title: `Update the spec to match the code: ${specSpelling(d.spec!.op)} → ${specSpelling(d.codeNode!.op)}`, edits: [rename] });
        break;
      }
      case 'MS004': {
        const parts = (d.attrs ?? []).map((a) => `${a.name} ${fmt(a.spec)} in the spec, ${fmt(a.code)} in the code`);
        message = `spec: ${describeSpecOp(d.spec)} (${specAt}); code: ${describeCodeOp(d.codeNode)} (${at}): ${parts.join('; ')}`;
        const edits = d.spec ? (d.attrs ?? []).map((a) => setSpecArgument(sides.specText, d.spec!, a.name, a.code)).filter((e): e is TextEdit => !!e) : [];
        if (edits.length > 0 && edits.length === (d.attrs ?? []).length) specFixes.push({ title: `Update the spec to match the code: ${(d.attrs ?? []).map((a) => `${a.name}=${fmt(a.code)}`).join(', ')}`, edits });
        break;
      }
      case 'MS005':
      default:
        message = structureMessage(d, sides, specAt, at);
        break;
    }
    const severity = defaultSeverityOf(d.code);
    spec.push({
      code: d.code,
      severity,
      message,
      range: sRange,
      model: sides.spec.name,
      related: [{ path: sides.codePath, range: cRange, message: `the code (${describeCodeOp(d.codeNode ?? d.anchor)})` }],
      fixes: [...specFixes, ...codeFixes.map((f) => ({ ...f, path: sides.codePath, isPreferred: false }))],
    });
    code.push({
      code: d.code,
      severity,
      message: `${message} [${sides.specName}]`,
      range: cRange,
      model: sides.code.name,
      related: [{ path: sides.specPath, range: sRange, message: `the spec (${describeSpecOp(d.spec ?? d.anchor)})` }],
      fixes: [...codeFixes, ...specFixes.map((f) => ({ ...f, path: sides.specPath, isPreferred: false }))],
    });
  }
  return { spec, code };
}

function structureMessage(d: SpecDifference, sides: DiffSides, specAt: string, at: string): string {
  switch (d.structure) {
    case 'reads':
      return `spec: ${describeSpecOp(d.spec)} (${specAt}) reads ${describeSpecOp(d.otherSpec)}; code: ${describeCodeOp(d.codeNode)} (${at}) reads ${describeCodeOp(d.otherCode)}`;
    case 'spec-shares':
      return `spec: ${describeSpecOp(d.spec)} (${specAt}) shares its weights with ${describeSpecOp(d.otherSpec)} (line ${line(d.otherSpec?.range)}); code uses two layers, ${describeCodeOp(d.otherCode)} and ${describeCodeOp(d.codeNode)} (${at})`;
    case 'code-shares':
      return `spec: ${describeSpecOp(d.otherSpec)} and ${describeSpecOp(d.spec)} (${specAt}) are two layers; code applies one layer, ${describeCodeOp(d.codeNode)}, at both places (${at}), so they share weights`;
    default:
      if (d.spec && !d.codeNode) return `spec: ${describeSpecOp(d.spec)} (${specAt}): ${d.structure}; code goes on after ${describeCodeOp(d.anchor)} (${at})`;
      if (d.codeNode && !d.spec) return `code: ${describeCodeOp(d.codeNode)} (${at}): ${d.structure}; spec goes on after ${describeSpecOp(d.anchor)} (${specAt})`;
      return `${d.structure ?? 'a connection differs'} (spec ${specAt}, code ${at})`;
  }
}

function inputNode(graph: ModelGraph, node: GraphNode): GraphNode | undefined {
  const id = node.inputs[0];
  return id === undefined ? undefined : graph.nodes.find((n) => n.id === id);
}

function offsetOf(text: string, pos: { line: number; character: number }): number {
  let offset = 0;
  for (let l = 0; l < pos.line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + pos.character;
}

/** The call at a spec node's range, with its arguments located. */
function callAt(text: string, node: GraphNode): { start: number; end: number; nameEnd: number; args: { start: number; end: number }[] } | undefined {
  const start = offsetOf(text, node.range.start);
  const end = offsetOf(text, node.range.end);
  const calls = locateCalls(text.slice(start, end), start);
  const call = calls.find((c) => c.start === start && c.end === end);
  return call ? { ...call, args: [...call.args] } : undefined;
}

/** `relu(Linear(h1, 128))` → `Linear(h1, 128)`. */
function unwrapSpecCall(text: string, node: GraphNode): TextEdit | undefined {
  if (node.inputs.length !== 1) return undefined;
  const call = callAt(text, node);
  if (!call || call.args.length === 0) return undefined;
  return { range: node.range, newText: text.slice(call.args[0].start, call.args[0].end) };
}

/** `Linear(h1, 128)` → `relu(Linear(h1, 128))`, for ops that read one tensor and take no widths. */
function wrapSpecNode(text: string, anchor: GraphNode, extra: GraphNode): TextEdit | undefined {
  if (extra.inputs.length !== 1 || anchor.category === 'input') return undefined;
  if (!(extra.category === 'activation' || extra.category === 'regularization' || extra.category === 'normalization')) return undefined;
  const start = offsetOf(text, anchor.range.start);
  const end = offsetOf(text, anchor.range.end);
  const inner = text.slice(start, end);
  if (inner.includes('\n')) return undefined;
  const p = extra.category === 'regularization' && typeof extra.attrs.p === 'number' ? `, ${extra.attrs.p}` : '';
  return { range: anchor.range, newText: `${specSpelling(extra.op)}(${inner}${p})` };
}

function renameSpecCall(text: string, node: GraphNode, name: string): TextEdit | undefined {
  const call = callAt(text, node);
  if (!call) return undefined;
  return { range: { start: node.range.start, end: { line: node.range.start.line, character: node.range.start.character + (call.nameEnd - call.start) } }, newText: name };
}

const POSITIONAL: Readonly<Record<string, readonly string[]>> = { linear: ['out'], conv: ['out', 'kernel'], pool: ['kernel'], embedding: ['in', 'out'], adaptive: ['size'] };

/** Sets `Linear(x, 128)`'s width, a kernel or a keyword argument to the code's value. */
function setSpecArgument(text: string, node: GraphNode, attr: string, value: AttrValue | undefined): TextEdit | undefined {
  if (value === undefined || attr === 'shape') return undefined;
  const call = callAt(text, node);
  if (!call) return undefined;
  const family = node.op === 'linear' ? 'linear' : /^conv/.test(node.op) ? 'conv' : /^(max|avg)_pool/.test(node.op) ? 'pool' : node.op === 'embedding' ? 'embedding' : /^adaptive/.test(node.op) ? 'adaptive' : node.category === 'recurrent' ? 'linear' : '';
  const newText = value === 'same' ? '"same"' : fmt(value);
  const pos = (offset: number) => {
    const before = text.slice(0, offset);
    const l = before.split('\n').length - 1;
    return { line: l, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  for (const arg of call.args) {
    const m = /^([A-Za-z_]+)\s*=\s*/.exec(text.slice(arg.start, arg.end));
    if (m && m[1] === attr) return { range: { start: pos(arg.start + m[0].length), end: pos(arg.end) }, newText };
  }
  const index = (POSITIONAL[family] ?? []).indexOf(attr);
  if (index >= 0 && call.args[index + 1] && !/=/.test(text.slice(call.args[index + 1].start, call.args[index + 1].end))) {
    const arg = call.args[index + 1];
    return { range: { start: pos(arg.start), end: pos(arg.end) }, newText };
  }
  if (index < 0) return { range: { start: pos(call.end - 1), end: pos(call.end - 1) }, newText: `, ${attr}=${newText}` };
  return undefined;
}

// What a reader of one top-level statement (loss linking, training facts) looked at outside that statement, so that
// its results can be kept with the statement and reused while none of it changed: the other statements it read, the
// names it looked up at module level (or found bound nowhere), the callees whose calls and the receivers whose method
// calls it read, whether it read every loop of the file, and a key of the file-wide facts it depends on. Most
// statements read nothing outside themselves, so the sets are made only when something is noted.

import { statementDelta, type SyntaxNode } from '../syntax';
import { type Binding, PyScopes, type ScopeQueries } from './pyScope';
import { topStatement } from './statementDeps';
import { callIndex } from './callIndex';

/** What the statements new in this text bind or define, call, call methods on, and whether one holds a loop. */
export interface AddedStatements {
  readonly names: ReadonlySet<string>;
  readonly callees: ReadonlySet<string>;
  readonly receivers: ReadonlySet<string>;
  readonly loops: boolean;
}

const NONE: ReadonlySet<never> = new Set();

/** Recent keys, so that equal keys are one string and comparing them per statement costs nothing. */
const KEYS = new Map<string, string>();

/**
 * `key` as the instance kept for an equal key seen before. A file-wide key holds every function name of the file;
 * compared as fresh strings for each of a long file's statements, it costs more than the statements' reading.
 */
export function internKey(key: string): string {
  const known = KEYS.get(key);
  if (known !== undefined) return known;
  if (KEYS.size >= 64) KEYS.clear();
  KEYS.set(key, key);
  return key;
}

export class StatementReads {
  private statements$?: Set<SyntaxNode>;
  private names$?: Set<string>;
  private callers$?: Set<string>;
  private receivers$?: Set<string>;
  private loops = false;
  private queries$?: ScopeQueries;

  constructor(private readonly scopes: PyScopes, readonly statement: SyntaxNode, readonly key: string) {}

  /** Other top-level statements read: the results are stale once one of them leaves the file. */
  get statements(): ReadonlySet<SyntaxNode> {
    return this.statements$ ?? NONE;
  }

  /** Notes that the reader looked at `node`'s statement, when that is another one. */
  note(node: SyntaxNode): void {
    const top = topStatement(node);
    if (top !== this.statement) (this.statements$ ??= new Set()).add(top);
  }

  /** A name whose bindings anywhere (or at module level) the reader asked about. */
  noteName(name: string): void {
    (this.names$ ??= new Set()).add(name);
  }

  /** A callee whose calls across the file the reader read. */
  noteCallee(callee: string): void {
    (this.callers$ ??= new Set()).add(callee);
  }

  /** A receiver whose method calls across the file the reader read. */
  noteReceiver(receiver: string): void {
    (this.receivers$ ??= new Set()).add(receiver);
  }

  /** The reader looked at every loop of the file. */
  noteLoops(): void {
    this.loops = true;
  }

  lookup(name: string, at: SyntaxNode): Binding | undefined {
    const b = this.scopes.lookup(name, at);
    if (!b || this.scopes.scopeOf(b.value).type === 'module') this.noteName(name);
    if (b) this.note(b.value);
    return b;
  }

  lookupSelf(attr: string, at: SyntaxNode): Binding | undefined {
    const b = this.scopes.lookupSelf(attr, at);
    if (b) this.note(b.value);
    return b;
  }

  /** The scope lookups of a model reference (`findModelRefs`), through this object so they are noted too. */
  get queries(): ScopeQueries {
    this.queries$ ??= {
      lookup: (name, at) => this.lookup(name, at),
      lookupSelf: (attr, at) => this.lookupSelf(attr, at),
      classOf: (node) => this.scopes.classOf(node),
      scopeOf: (node) => this.scopes.scopeOf(node),
    };
    return this.queries$;
  }

  /** Adds what this reader read to `index`, the union over a module's statements. */
  addTo(index: ReadIndex): void {
    for (const statement of this.statements) index.statements.add(statement);
    for (const name of this.names$ ?? NONE) index.names.add(name);
    for (const callee of this.callers$ ?? NONE) index.callees.add(callee);
    for (const receiver of this.receivers$ ?? NONE) index.receivers.add(receiver);
    if (this.loops) index.loops = true;
  }

  /**
   * Whether the results read are still valid in a text whose file-wide key is `key`, whose statements are `root`'s,
   * and whose new statements are `added`.
   */
  unchanged(root: SyntaxNode, key: string, added: AddedStatements): boolean {
    if (this.key !== key || (this.loops && added.loops)) return false;
    for (const statement of this.statements) if (statement.parent !== root) return false;
    for (const name of this.names$ ?? NONE) if (added.names.has(name)) return false;
    for (const callee of this.callers$ ?? NONE) if (added.callees.has(callee)) return false;
    for (const receiver of this.receivers$ ?? NONE) if (added.receivers.has(receiver)) return false;
    return true;
  }
}

/**
 * What all of a module's statement readers read, together: with it, an edit that replaced a few statements can be
 * shown to leave every other statement's results valid without asking each of them (`unchanged` for all at once).
 * A superset is safe: it can only send the caller back to checking statement by statement.
 */
export class ReadIndex {
  readonly statements = new Set<SyntaxNode>();
  readonly names = new Set<string>();
  readonly callees = new Set<string>();
  readonly receivers = new Set<string>();
  loops = false;

  /** Whether no reader read one of `removed` or anything `added` binds, calls or loops over. */
  unaffected(removed: readonly SyntaxNode[], added: AddedStatements): boolean {
    if (this.loops && added.loops) return false;
    for (const statement of removed) if (this.statements.has(statement)) return false;
    for (const name of added.names) if (this.names.has(name)) return false;
    for (const callee of added.callees) if (this.callees.has(callee)) return false;
    for (const receiver of added.receivers) if (this.receivers.has(receiver)) return false;
    return true;
  }
}

/** What `statements` bind or define, call, call methods on, and whether one holds a loop (scopes must be built). */
export function addedBy(statements: readonly SyntaxNode[]): AddedStatements {
  const added = { names: new Set<string>(), callees: new Set<string>(), receivers: new Set<string>(), loops: false };
  for (const statement of statements) {
    for (const name of PyScopes.namesOf(statement) ?? []) added.names.add(name);
    const calls = callIndex(statement);
    for (const callee of calls.byCallee.keys()) added.callees.add(callee);
    for (const receiver of calls.byReceiver.keys()) added.receivers.add(receiver);
    if (!added.loops && (statement.type === 'for_statement' || statement.descendantsOfType(['for_statement']).length > 0)) added.loops = true;
  }
  return added;
}

/** The statements among `statements` that `known` holds no results for: on a first analysis, none is looked at. */
export function addedAmong(statements: readonly SyntaxNode[], known: { has(statement: SyntaxNode): boolean }): AddedStatements {
  return addedBy(statements.some((s) => known.has(s)) ? statements.filter((s) => !known.has(s)) : []);
}

/**
 * A module-wide result built from per-statement readers (loss links, training facts), kept per module with its
 * file-wide key and the union of its statements' reads, so the next text can keep it whole: when the edit's delta
 * is one run, nothing moved, the key is the same, the replaced statements held nothing, no other statement read
 * them or anything the new statements bind, call or loop over, and the new statements hold nothing either.
 */
export class ModuleResults<R> {
  private readonly entries = new WeakMap<SyntaxNode, { readonly key: string; readonly index: ReadIndex; readonly result: R }>();

  keep(root: SyntaxNode, key: string, index: ReadIndex, result: R): void {
    this.entries.set(root, { key, index, result });
  }

  /**
   * The previous text's result when the edit leaves it standing (see the class), else undefined and the caller
   * reads statement by statement. `holdsNothing` answers for a removed statement; `read` reads an added one.
   */
  patched(root: SyntaxNode, key: string, holdsNothing: (statement: SyntaxNode) => boolean, read: (statement: SyntaxNode) => { readonly reads: StatementReads; readonly empty: boolean }): R | undefined {
    const delta = statementDelta(root);
    const before = delta?.at !== undefined && !delta.moved ? this.entries.get(delta.previous) : undefined;
    if (!delta || !before || before.key !== key) return undefined;
    if (!delta.removed.every(holdsNothing) || !before.index.unaffected(delta.removed, addedBy(delta.added))) return undefined;
    const fresh = delta.added.map(read);
    if (!fresh.every((r) => r.empty)) return undefined;
    // The index moves on to this text (the previous one is not analysed again), with what the new statements read.
    for (const r of fresh) r.reads.addTo(before.index);
    this.entries.delete(delta.previous);
    this.entries.set(root, before);
    return before.result;
  }
}

// What a reader of one top-level statement (loss linking, training facts) looked at outside that statement, so that
// its results can be kept with the statement and reused while none of it changed: the other statements it read and
// the names it looked up at module level (or found bound nowhere), which a statement added later could bind.

import type { SyntaxNode } from '../syntax';
import type { Binding, PyScopes, ScopeQueries } from './pyScope';
import { topStatement } from './statementDeps';

export class StatementReads {
  /** Other top-level statements read: the results are stale once one of them leaves the file. */
  readonly statements = new Set<SyntaxNode>();
  /** Names looked up at module level or bound nowhere: stale once a new statement binds one. */
  readonly names = new Set<string>();
  /** The scope lookups of a model reference (`findModelRefs`), through this object so they are noted too. */
  readonly queries: ScopeQueries;

  constructor(private readonly scopes: PyScopes, readonly statement: SyntaxNode) {
    this.queries = {
      lookup: (name, at) => this.lookup(name, at),
      lookupSelf: (attr, at) => this.lookupSelf(attr, at),
      classOf: (node) => scopes.classOf(node),
      scopeOf: (node) => scopes.scopeOf(node),
    };
  }

  /** Notes that the reader looked at `node`'s statement, when that is another one. */
  note(node: SyntaxNode): void {
    const top = topStatement(node);
    if (top !== this.statement) this.statements.add(top);
  }

  lookup(name: string, at: SyntaxNode): Binding | undefined {
    const b = this.scopes.lookup(name, at);
    if (!b || this.scopes.scopeOf(b.value).type === 'module') this.names.add(name);
    if (b) this.note(b.value);
    return b;
  }

  lookupSelf(attr: string, at: SyntaxNode): Binding | undefined {
    const b = this.scopes.lookupSelf(attr, at);
    if (b) this.note(b.value);
    return b;
  }

  /** Whether every statement read is still a statement of `root` and no name looked up is in `boundAnew`. */
  unchanged(root: SyntaxNode, boundAnew: ReadonlySet<string>): boolean {
    for (const statement of this.statements) if (statement.parent !== root) return false;
    for (const name of this.names) if (boundAnew.has(name)) return false;
    return true;
  }
}

// Which top-level statements of a Python module a model's extraction can read, so an unchanged model is not
// interpreted again after an edit elsewhere in the file. The frontend reads module-level definitions by name
// (classes, functions, assignments) and every import; a model therefore depends on its own statement, the statements
// that define the names it mentions (and, in turn, the names those mention), and the imports. Mirrored statements
// keep their identity while their text is unchanged (see syntax.ts), so the key is their ids and positions: no text
// is hashed on an edit.

import { type StatementDelta, statementDelta, type SyntaxNode } from '../syntax';

interface StatementInfo {
  /** Names the statement binds at module level. */
  readonly defines: readonly string[];
  /** Every identifier the statement mentions. */
  readonly mentions: ReadonlySet<string>;
  readonly isImport: boolean;
}

const infos = new WeakMap<SyntaxNode, StatementInfo>();

function infoOf(statement: SyntaxNode): StatementInfo {
  let info = infos.get(statement);
  if (!info) {
    info = read(statement);
    infos.set(statement, info);
  }
  return info;
}

function read(statement: SyntaxNode): StatementInfo {
  const mentions = new Set<string>();
  for (const id of statement.descendantsOfType('identifier')) mentions.add(id.text);
  const isImport = statement.type === 'import_statement' || statement.type === 'import_from_statement' || statement.type === 'future_import_statement';
  const defines: string[] = [];
  const def = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (def?.type === 'class_definition' || def?.type === 'function_definition') {
    const name = def.childForFieldName('name')?.text;
    if (name) defines.push(name);
  } else if (statement.type === 'expression_statement') {
    // `x = …`, `a, b = …`, `Block.expansion = 4`: the names on the left (an attribute's object counts as redefined).
    for (const assign of statement.namedChildren) {
      let left = assign.type === 'assignment' || assign.type === 'augmented_assignment' ? assign.childForFieldName('left') : null;
      while (left && (left.type === 'attribute' || left.type === 'subscript')) left = left.childForFieldName(left.type === 'attribute' ? 'object' : 'value');
      if (!left) continue;
      if (left.type === 'identifier') defines.push(left.text);
      else for (const id of left.descendantsOfType('identifier')) defines.push(id.text);
    }
  }
  return { defines, mentions, isImport };
}

/** The top-level statement that holds `node`. */
export function topStatement(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (let hops = 0; n.parent && n.parent.parent && hops < 4096; hops++) n = n.parent;
  return n;
}

/** Each module's dependencies, for the next text's `ModuleDependencies.of` to patch. */
const moduleDependencies = new WeakMap<SyntaxNode, ModuleDependencies>();

export class ModuleDependencies {
  private definers = new Map<string, SyntaxNode[]>();
  private imports: SyntaxNode[] = [];
  private index = new Map<SyntaxNode, number>();
  /** keyFor's answers, with the statements each one's closure holds. */
  private keys = new Map<SyntaxNode, { readonly key: string; readonly closure: ReadonlySet<SyntaxNode> }>();

  /**
   * The dependencies of a module. After an edit that replaced statements one for one by statements that define the
   * same names (no imports), with no line moved, they are the previous text's with those statements swapped, and
   * keep every key whose closure did not hold a replaced statement: such a model reads exactly what it read before.
   */
  static of(root: SyntaxNode): ModuleDependencies {
    const delta = root.type === 'module' ? statementDelta(root) : undefined;
    const before = delta?.at !== undefined && !delta.moved ? moduleDependencies.get(delta.previous) : undefined;
    const deps = (before && delta && ModuleDependencies.patched(before, root, delta)) || new ModuleDependencies(root);
    if (root.type === 'module') moduleDependencies.set(root, deps);
    return deps;
  }

  private static patched(before: ModuleDependencies, root: SyntaxNode, delta: StatementDelta): ModuleDependencies | undefined {
    const { removed, added } = delta;
    if (removed.length !== added.length || removed.some((s) => !s.isNamed || !before.index.has(s)) || added.some((s) => !s.isNamed)) return undefined;
    const names = (s: SyntaxNode) => {
      const info = infoOf(s);
      return info.isImport ? undefined : [...info.defines].sort().join(',');
    };
    for (let i = 0; i < removed.length; i++) {
      const was = names(removed[i]);
      if (was === undefined || was !== names(added[i])) return undefined;
    }
    // The previous text's dependencies are not read again (its mirror now describes this text): their maps move
    // here and are changed in place.
    moduleDependencies.delete(delta.previous);
    const deps = new ModuleDependencies(root, true);
    deps.imports = before.imports;
    deps.definers = before.definers;
    deps.index = before.index;
    deps.keys = before.keys;
    const swapped = new Map(removed.map((s, i) => [s, added[i]]));
    for (const statement of removed) {
      for (const name of infoOf(statement).defines) {
        const list = deps.definers.get(name);
        if (list) deps.definers.set(name, list.map((s) => swapped.get(s) ?? s));
      }
      deps.index.set(swapped.get(statement)!, deps.index.get(statement)!);
      deps.index.delete(statement);
    }
    for (const [statement, known] of deps.keys) {
      for (const s of known.closure) {
        if (!swapped.has(s)) continue;
        deps.keys.delete(statement);
        break;
      }
    }
    return deps;
  }

  constructor(
    private readonly root: SyntaxNode,
    /** Left empty, for `patched` to fill. */
    empty = false,
  ) {
    if (empty) return;
    root.namedChildren.forEach((statement, i) => {
      this.index.set(statement, i);
      const info = infoOf(statement);
      if (info.isImport) this.imports.push(statement);
      for (const name of info.defines) {
        const list = this.definers.get(name);
        if (list) list.push(statement);
        else this.definers.set(name, [statement]);
      }
    });
  }

  /**
   * A key that changes whenever anything the model defined by `statement` can read changes: the identities and
   * positions of its statement, of every statement defining a name it (transitively) mentions, and of the imports.
   * Two statements can have the same closure (each mentions the other), so the caller adds which model it keys.
   */
  keyFor(statement: SyntaxNode): string | undefined {
    if (!this.index.has(statement)) return undefined;
    const known = this.keys.get(statement);
    if (known) return known.key;
    const seen = new Set<SyntaxNode>([statement, ...this.imports]);
    const queue = [statement];
    while (queue.length > 0) {
      const next = queue.pop()!;
      for (const name of infoOf(next).mentions) {
        for (const definer of this.definers.get(name) ?? []) {
          if (seen.has(definer)) continue;
          seen.add(definer);
          queue.push(definer);
        }
      }
    }
    const key = [...seen]
      .sort((a, b) => this.index.get(a)! - this.index.get(b)!)
      .map((s) => {
        const p = s.startPosition;
        return `${s.id}@${p.row}:${p.column}`;
      })
      .join(',');
    this.keys.set(statement, { key, closure: seen });
    return key;
  }
}

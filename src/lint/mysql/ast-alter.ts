import type { Action, Clause, ClauseBody } from './actions.js';
import {
  columnFromAst,
  columnName,
  elementFromAst,
  firstOffset,
  list,
  node,
  str,
  tableName,
  type ExprPrinter,
  type Node,
} from './ast-columns.js';
import { commaParts, Cursor } from './cursor.js';
import type { Token } from './tokens.js';

/** Where each comma part of an ALTER TABLE starts, with its first word, to place AST clauses in the text. */
interface Part {
  readonly start: number;
  readonly end: number;
  readonly word: string;
}

function alterParts(tokens: readonly Token[], text: string): Part[] {
  const c = new Cursor(tokens, text);
  c.acceptAny('ONLINE', 'OFFLINE');
  c.accept('ALTER');
  c.acceptAny('ONLINE', 'OFFLINE');
  c.accept('IGNORE');
  c.accept('TABLE');
  c.accept('IF', 'EXISTS');
  c.name();
  return commaParts(c, c.pos, c.end).map(([a, b]) => ({
    start: tokens[a].start,
    end: tokens[b - 1].end,
    word: c.word(a - c.pos),
  }));
}

/** The first word the clause's text starts with, for matching an AST clause to its comma part. */
function expectedWord(e: Node): string {
  const action = str(e.action)?.toUpperCase();
  if (action) return action;
  const keyword = str(e.keyword)?.toUpperCase() ?? '';
  return keyword.split(' ')[0];
}

function alterClause(e: Node, printer: ExprPrinter): ClauseBody | undefined {
  const action = str(e.action);
  const resource = str(e.resource);
  if (action === 'add') {
    if (resource === 'column') {
      const col = columnFromAst(e, printer);
      return col
        ? { kind: 'add-column', column: col.column, ...(col.position ? { position: col.position } : {}) }
        : undefined;
    }
    const element = elementFromAst(resource === 'index' ? e : (node(e.create_definitions) ?? e));
    if (!element) return undefined;
    const named = element.name ? { name: element.name } : {};
    if (element.kind === 'index') return { kind: 'add-index', ...named, index: element.index };
    if (element.kind === 'foreign-key')
      return {
        kind: 'add-foreign-key',
        ...named,
        columns: element.columns,
        ...(element.references ? { references: element.references } : {}),
      };
    return { kind: 'add-check', ...named, enforced: element.enforced };
  }
  if (action === 'drop') {
    const keyword = str(e.keyword)?.toLowerCase();
    if (resource === 'column') {
      const name = columnName(e.column);
      return name === undefined ? undefined : { kind: 'drop-column', name };
    }
    if (keyword === 'primary key') return { kind: 'drop-constraint', what: 'primary key' };
    if (keyword === 'foreign key') return { kind: 'drop-constraint', what: 'foreign key', name: str(e.key) ?? '' };
    if (keyword === 'check' || keyword === 'constraint')
      return { kind: 'drop-constraint', what: keyword, name: str(e.constraint) ?? '' };
    if (keyword === 'index' || keyword === 'key') return { kind: 'drop-index', name: str(e.index) ?? str(e.key) ?? '' };
    return undefined;
  }
  if (action === 'modify' || action === 'change') {
    const col = columnFromAst(e, printer);
    const name = action === 'change' ? columnName(e.old_column) : col?.column.name;
    if (!col || name === undefined) return undefined;
    return {
      kind: 'modify-column',
      name,
      column: col.column,
      ...(col.position ? { position: col.position } : {}),
      change: action === 'change',
    };
  }
  if (action === 'rename') {
    if (resource === 'table') {
      const to = str(e.table) ?? tableName(e.table);
      return to ? { kind: 'rename-table', to } : undefined;
    }
    if (resource === 'column') {
      const from = columnName(e.old_column);
      const to = columnName(e.column);
      return from && to ? { kind: 'rename-column', from, to } : undefined;
    }
    return undefined;
  }
  switch (resource) {
    case 'algorithm':
      return { kind: 'algorithm', value: String(e.algorithm ?? '').toUpperCase() };
    case 'lock':
      return { kind: 'lock', value: String(e.lock ?? '').toUpperCase() };
    case 'engine':
      return { kind: 'rebuild', what: `ENGINE=${String(e.engine ?? '')}` };
    case 'auto_increment':
      return { kind: 'auto-increment', value: String(e.auto_increment ?? '') };
    case 'comment':
      return { kind: 'neutral', what: 'COMMENT' };
    case 'character set':
    case 'default character set':
    case 'charset':
    case 'default charset':
    case 'collate':
    case 'default collate': {
      const v = node(e[resource]);
      return { kind: 'charset', convert: false, what: String(v?.value ?? '') };
    }
    default:
      return undefined;
  }
}

/** Reads an ALTER TABLE AST; undefined when a clause is one the AST reader does not map. */
export function alterTable(
  ast: Node,
  tokens: readonly Token[],
  text: string,
  printer: ExprPrinter,
): Action | undefined {
  const table = tableName(list(ast.table)[0]);
  if (table === undefined) return undefined;
  const parts = alterParts(tokens, text);
  const clauses: Clause[] = [];
  let next = 0;
  for (const raw of list(ast.expr)) {
    const e = node(raw);
    if (!e) return undefined;
    const body = alterClause(e, printer);
    if (!body) return undefined;
    // Column references carry offsets; other clauses take the next part that starts with their word.
    const offset = firstOffset(e);
    let index = offset === undefined ? -1 : parts.findIndex((p) => p.start <= offset && offset < p.end);
    if (index === -1) {
      const word = expectedWord(e);
      index = parts.findIndex((p, i) => i >= next && p.word === word);
    }
    if (index !== -1) next = index + 1;
    const at = index === -1 ? undefined : parts[index].start;
    // The AST upper-cases option values; messages quote the clause as the user wrote it.
    const written =
      body.kind === 'rebuild' && index !== -1
        ? { what: text.slice(parts[index].start, parts[index].end).replace(/\s+/g, ' ') }
        : {};
    clauses.push({ ...body, ...written, ...(at === undefined ? {} : { at }) } as Clause);
  }
  return { kind: 'alter-table', table, clauses };
}

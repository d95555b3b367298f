import type { Action } from './actions.js';
import { alterTable } from './ast-alter.js';
import {
  columnFromAst,
  columnName,
  elementFromAst,
  list,
  node,
  str,
  tableName,
  type ExprPrinter,
  type Node,
} from './ast-columns.js';
import type { Token } from './tokens.js';

function createTable(ast: Node, printer: ExprPrinter): Action | undefined {
  const table = tableName(list(ast.table)[0]);
  if (table === undefined) return undefined;
  const base = { kind: 'create-table', table, ifNotExists: !!ast.if_not_exists, temporary: !!ast.temporary } as const;
  const like = tableName(list(node(ast.like)?.table)[0]);
  if (like) return { ...base, indexes: [], like };
  const columns = [];
  const indexes = [];
  for (const raw of list(ast.create_definitions)) {
    const d = node(raw);
    if (!d) return undefined;
    if (str(d.resource) === 'column') {
      const col = columnFromAst(d, printer);
      if (!col) return undefined;
      columns.push(col.column);
      if (col.column.primaryKey) indexes.push({ index: { unique: true, primary: true, columns: [col.column.name] } });
      else if (col.column.unique)
        indexes.push({ name: col.column.name, index: { unique: true, primary: false, columns: [col.column.name] } });
      continue;
    }
    const element = elementFromAst(d);
    if (!element) return undefined;
    if (element.kind === 'index')
      indexes.push({ ...(element.name ? { name: element.name } : {}), index: element.index });
  }
  return { ...base, indexes, ...(ast.query_expr ? {} : { columns }) };
}

function create(ast: Node, printer: ExprPrinter): Action | undefined {
  switch (str(ast.keyword)) {
    case 'table':
      return createTable(ast, printer);
    case 'index': {
      const table = tableName(ast.table);
      const name = str(ast.index);
      if (table === undefined || name === undefined) return undefined;
      const type = str(ast.index_type)?.toUpperCase();
      const algorithm = str(node(ast.algorithm_option)?.algorithm)?.toUpperCase();
      const lock = str(node(ast.lock_option)?.lock)?.toUpperCase();
      return {
        kind: 'create-index',
        table,
        name,
        index: {
          unique: type === 'UNIQUE',
          primary: false,
          columns: list(ast.index_columns).map((p) => columnName(p) ?? '(expr)'),
          ...(type === 'FULLTEXT' || type === 'SPATIAL' ? { special: type } : {}),
        },
        ...(algorithm ? { algorithm } : {}),
        ...(lock ? { lock } : {}),
      };
    }
    case 'view': {
      const name = tableName(ast.view);
      return name === undefined ? undefined : { kind: 'create-view', name, orReplace: !!ast.replace, alter: false };
    }
    case 'trigger': {
      const name = tableName(ast.trigger);
      const table = tableName(ast.table);
      return name === undefined || table === undefined
        ? undefined
        : { kind: 'create-trigger', name, table, orReplace: false };
    }
    case 'database':
    case 'schema': {
      const name = str(node(list(node(ast.database)?.schema)[0])?.value) ?? str(ast.database);
      return name === undefined ? undefined : { kind: 'create-schema', name };
    }
    case 'user':
      return { kind: 'additive', what: 'creates a user' };
    default:
      return undefined;
  }
}

function drop(ast: Node): Action | undefined {
  const ifExists = /exists/i.test(String(ast.prefix ?? ''));
  const names = list(ast.name);
  switch (str(ast.keyword)) {
    case 'table': {
      const tables = names.map(tableName);
      return tables.some((t) => t === undefined)
        ? undefined
        : { kind: 'drop-table', tables: tables as string[], ifExists, temporary: false };
    }
    case 'view': {
      const views = names.map(tableName);
      return views.some((t) => t === undefined) ? undefined : { kind: 'drop-view', names: views as string[], ifExists };
    }
    case 'index': {
      const name = columnName(ast.name);
      const table = tableName(ast.table);
      const options = list(ast.options).map(node);
      const algorithm = str(options.find((o) => o?.resource === 'algorithm')?.algorithm)?.toUpperCase();
      const lock = str(options.find((o) => o?.resource === 'lock')?.lock)?.toUpperCase();
      if (name === undefined || table === undefined) return undefined;
      return { kind: 'drop-index', table, name, ...(algorithm ? { algorithm } : {}), ...(lock ? { lock } : {}) };
    }
    case 'database':
    case 'schema': {
      const name = str(ast.name) ?? str(node(ast.name)?.value);
      return name === undefined ? undefined : { kind: 'drop-schema', name, ifExists };
    }
    case 'trigger': {
      const name = str(node(names[0])?.trigger);
      return name === undefined ? undefined : { kind: 'drop-trigger', name, ifExists };
    }
    default:
      return undefined;
  }
}

function update(ast: Node): Action | undefined {
  const refs = list(ast.table).map(node);
  const tables: string[] = [];
  const aliases = new Map<string, string>();
  for (const r of refs) {
    const t = str(r?.table);
    if (t === undefined) return undefined;
    tables.push(t);
    const as = str(r?.as);
    if (as) aliases.set(as.toLowerCase(), t);
  }
  const columns = list(ast.set).map((s) => {
    const n = node(s);
    const table = str(n?.table);
    const resolved = table ? (aliases.get(table.toLowerCase()) ?? table) : undefined;
    return { ...(resolved ? { table: resolved } : {}), column: str(n?.column) ?? '' };
  });
  return { kind: 'update', tables, columns };
}

/**
 * Turns node-sql-parser's AST of one statement into actions; undefined when the AST holds
 * something this reader does not map, so the keyword classifier reads the statement instead.
 */
export function actionsFromAst(
  ast: unknown,
  tokens: readonly Token[],
  text: string,
  printer: ExprPrinter,
): Action[] | undefined {
  const out: Action[] = [];
  for (const raw of Array.isArray(ast) ? ast : [ast]) {
    const n = node(raw);
    if (!n) return undefined;
    let action: Action | undefined;
    switch (str(n.type)) {
      case 'create':
        action = create(n, printer);
        break;
      case 'alter':
        action = alterTable(n, tokens, text, printer);
        break;
      case 'drop':
        action = drop(n);
        break;
      case 'rename': {
        const pairs = list(n.table).map((p) => list(p).map(tableName));
        if (pairs.every((p) => p.length === 2 && p[0] !== undefined && p[1] !== undefined))
          action = { kind: 'rename-table', pairs: pairs.map((p) => [p[0] as string, p[1] as string] as const) };
        break;
      }
      case 'insert':
      case 'replace': {
        const table = tableName(list(n.table)[0]);
        if (table !== undefined)
          action = { kind: 'insert', table, upsert: !!n.on_duplicate_update, replace: n.type === 'replace' };
        break;
      }
      case 'update':
        action = update(n);
        break;
      case 'delete': {
        // DELETE u FROM users u JOIN ...: targets may name aliases of the FROM list.
        const aliases = new Map(list(n.from).map((f) => [str(node(f)?.as)?.toLowerCase(), tableName(f)] as const));
        const tables = list(n.table)
          .map(tableName)
          .map((t) => (t === undefined ? t : (aliases.get(t.toLowerCase()) ?? t)));
        if (tables.length && tables.every((t) => t !== undefined))
          action = { kind: 'delete', tables: tables as string[] };
        break;
      }
      case 'truncate': {
        const tables = list(n.name).map(tableName);
        if (tables.length && tables.every((t) => t !== undefined))
          action = { kind: 'truncate', tables: tables as string[] };
        break;
      }
      case 'call': {
        const name = str(node(list(node(node(n.expr)?.name)?.name)[0])?.value);
        if (name !== undefined) action = { kind: 'call', name };
        break;
      }
      case 'grant':
        action = /from/i.test(String(n.to_from ?? ''))
          ? { kind: 'revoke', what: 'revokes privileges' }
          : { kind: 'grant' };
        break;
      case 'set':
      case 'lock':
      case 'unlock':
      case 'transaction':
      case 'select':
      case 'show':
      case 'use':
      case 'desc':
      case 'explain':
        action = { kind: 'neutral', what: String(n.type) };
        break;
      default:
        action = undefined;
    }
    if (!action) return undefined;
    out.push(action);
  }
  return out;
}

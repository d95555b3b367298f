import type { IndexElem, IndexStmt, Node, ReindexStmt } from 'libpg-query';
import { indexKey, systemName } from './constraints.js';
import type { Ctx } from './context.js';
import { as, columnRefs, qualifiedKey, relationKey, strings } from './nodes.js';

/** The columns an index reads: named keys and the columns of expression keys. */
function indexColumns(stmt: IndexStmt): string[] {
  const out: string[] = [];
  for (const node of stmt.indexParams ?? []) {
    const elem = as<IndexElem>(node, 'IndexElem');
    if (elem?.name) out.push(elem.name);
    else out.push(...columnRefs(elem?.expr));
  }
  return [...new Set(out)];
}

// The name PostgreSQL gives an index key (FigureColname): the column, a function's name, or `expr`.
function keyNames(stmt: IndexStmt): string[] {
  return (stmt.indexParams ?? []).map((node) => {
    const elem = as<IndexElem>(node, 'IndexElem');
    if (elem?.name) return elem.name;
    let expr = elem?.expr;
    for (let cast = as<{ arg?: Node }>(expr, 'TypeCast'); cast; cast = as<{ arg?: Node }>(expr, 'TypeCast'))
      expr = cast.arg;
    const call = as<{ funcname?: Node[] }>(expr, 'FuncCall');
    if (call) return strings(call.funcname).pop() ?? 'expr';
    const ref = as<{ fields?: Node[] }>(expr, 'ColumnRef');
    return (ref && strings(ref.fields).pop()) || 'expr';
  });
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] (I1, I2, R6). */
export function createIndex(ctx: Ctx, stmt: IndexStmt): void {
  ctx.adds();
  const table = relationKey(stmt.relation);
  const columns = indexColumns(stmt);
  const keys = keyNames(stmt);
  const name = stmt.idxname ?? systemName(table, keys, stmt.unique ? 'key' : 'idx');
  const key = indexKey(table, name);
  if (stmt.if_not_exists && ctx.schema.indexes.has(key)) return;
  ctx.schema.indexes.set(key, { table, unique: stmt.unique === true, columns });
  const rel = ctx.schema.relations.get(table);
  // Nothing writes a new table or a materialized view while the index builds.
  if (ctx.freshTable(table) || rel?.kind === 'matview') return;
  ctx.fresh.add('index', key);
  const plain = (stmt.indexParams ?? []).every((p) => as<IndexElem>(p, 'IndexElem')?.name);
  const on = plain ? `${table}(${columns.join(', ')})` : table;
  if (stmt.unique && !ctx.allFresh(table, columns)) {
    if (stmt.concurrent) ctx.hit('add-unique-concurrently', `adds unique index ${name} on ${on}`);
    else ctx.hit('add-unique', `adds unique index ${name} on ${on}`);
  } else if (!stmt.concurrent) {
    ctx.hit(
      'index-not-concurrent',
      `builds ${stmt.unique ? 'unique ' : ''}index ${name} on ${on} without CONCURRENTLY`,
    );
  }
}

/** DROP INDEX [CONCURRENTLY] (I3). */
export function dropIndex(ctx: Ctx, name: readonly string[], concurrent: boolean): void {
  const key = qualifiedKey(name);
  const state = ctx.schema.indexes.get(key);
  const fresh = ctx.fresh.has('index', key) || (state !== undefined && ctx.freshTable(state.table));
  ctx.schema.indexes.delete(key);
  ctx.fresh.delete('index', key);
  if (fresh) return;
  const on = state ? ` on ${state.table}` : '';
  ctx.hit('drop-index', `drops ${state?.unique ? 'unique ' : ''}index ${key}${on}`);
  if (!concurrent) ctx.hit('drop-index-not-concurrent', `drops index ${key} without CONCURRENTLY`);
}

/** REINDEX (I4): blocking unless CONCURRENTLY. */
export function reindex(ctx: Ctx, stmt: ReindexStmt): void {
  if ((stmt.params ?? []).some((p) => as<{ defname?: string }>(p, 'DefElem')?.defname === 'concurrently')) return;
  const target = stmt.relation ? relationKey(stmt.relation) : (stmt.name ?? '');
  if (stmt.kind === 'REINDEX_OBJECT_INDEX') {
    const state = ctx.schema.indexes.get(target);
    if (ctx.fresh.has('index', target) || (state && ctx.freshTable(state.table))) return;
  } else if (stmt.kind === 'REINDEX_OBJECT_TABLE' && ctx.freshTable(target)) return;
  const what = stmt.kind?.replace('REINDEX_OBJECT_', '').toLowerCase() ?? 'object';
  ctx.hit('reindex-blocking', `rebuilds ${what} ${target} without CONCURRENTLY`.replace(/ $/, ''));
}

import type {
  AlterSeqStmt,
  ClusterStmt,
  CreateSeqStmt,
  DefElem,
  RefreshMatViewStmt,
  VacuumStmt,
  VacuumRelation,
  ViewStmt,
} from 'libpg-query';
import type { Ctx } from './context.js';
import { as, relationKey } from './nodes.js';

/** CREATE [OR REPLACE] VIEW (V1, V2): replacing a view the previous release reads may change what it returns. */
export function createView(ctx: Ctx, stmt: ViewStmt): void {
  const view = relationKey(stmt.view);
  const existing = ctx.schema.relations.get(view);
  ctx.session.file.views.add(view);
  if (stmt.replace && existing && !ctx.freshTable(view)) {
    ctx.hit('replace-view', `replaces view ${view}`);
    return;
  }
  ctx.adds();
  ctx.schema.relations.set(view, { kind: 'view', columns: new Map() });
  ctx.fresh.add('table', view);
}

/** REFRESH MATERIALIZED VIEW (V5): without CONCURRENTLY, readers wait for the whole query. */
export function refresh(ctx: Ctx, stmt: RefreshMatViewStmt): void {
  const view = relationKey(stmt.relation);
  if (!stmt.concurrent && !ctx.freshTable(view))
    ctx.hit('refresh-matview-blocking', `refreshes materialized view ${view} without CONCURRENTLY`);
}

/** CREATE SEQUENCE (Q1). */
export function createSequence(ctx: Ctx, stmt: CreateSeqStmt): void {
  ctx.adds();
  const key = relationKey(stmt.sequence);
  if (stmt.if_not_exists && ctx.schema.relations.has(key)) return;
  ctx.schema.relations.set(key, { kind: 'sequence', columns: new Map() });
  ctx.fresh.add('table', key);
}

/** ALTER SEQUENCE (Q2, Q3): OWNED BY only ties its life to a column; anything else changes the values it hands out. */
export function alterSequence(ctx: Ctx, stmt: AlterSeqStmt): void {
  const key = relationKey(stmt.sequence);
  if (ctx.freshTable(key)) return;
  const options = (stmt.options ?? [])
    .map((o) => as<DefElem>(o, 'DefElem')?.defname ?? '')
    .filter((name) => name !== 'owned_by');
  if (options.length) ctx.hit('alter-sequence', `changes sequence ${key} (${options.join(', ')})`);
}

/** VACUUM FULL (S7) rewrites; plain VACUUM and ANALYZE are neutral. */
export function vacuum(ctx: Ctx, stmt: VacuumStmt): void {
  const full = (stmt.options ?? []).some((o) => as<DefElem>(o, 'DefElem')?.defname === 'full');
  if (!stmt.is_vacuumcmd || !full) return;
  const tables = (stmt.rels ?? []).map((r) => relationKey(as<VacuumRelation>(r, 'VacuumRelation')?.relation));
  if (tables.length === 0) ctx.hit('table-rewrite', 'runs VACUUM FULL on every table of the database');
  for (const table of tables)
    if (!ctx.freshTable(table)) ctx.hit('table-rewrite', `runs VACUUM FULL on ${table}, which rewrites it`);
}

/** CLUSTER (S7): rewrites the table in index order under ACCESS EXCLUSIVE. */
export function cluster(ctx: Ctx, stmt: ClusterStmt): void {
  const table = stmt.relation ? relationKey(stmt.relation) : '';
  if (table && ctx.freshTable(table)) return;
  ctx.hit(
    'table-rewrite',
    table ? `clusters ${table}, which rewrites it` : 'clusters every previously clustered table',
  );
}

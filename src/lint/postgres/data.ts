import type {
  CommonTableExpr,
  CopyStmt,
  DeleteStmt,
  FuncCall,
  InsertStmt,
  MergeStmt,
  MergeWhenClause,
  Node,
  RangeVar,
  ResTarget,
  SelectStmt,
  TruncateStmt,
  UpdateStmt,
  WithClause,
} from 'libpg-query';
import type { Ctx } from './context.js';
import { as, eachTagged, qualifiedKey, relationKey, strings } from './nodes.js';
import { callRoutine } from './routines.js';
import { createFromQuery } from './tables.js';

const WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

// Data-modifying CTEs (`WITH x AS (UPDATE ...)`) write like top-level statements.
function ctes(ctx: Ctx, clause: WithClause | undefined): void {
  for (const node of clause?.ctes ?? []) {
    const query = as<CommonTableExpr>(node, 'CommonTableExpr')?.ctequery;
    const tag = query && Object.keys(query)[0];
    if (query && tag && WRITES.has(tag)) ctx.session.classify(ctx, query);
  }
}

/**
 * Functions a query calls that change things: setval() (Q2), and routines whose body the model
 * read (a helper created, called and dropped by the migration).
 */
function calls(ctx: Ctx, root: unknown): void {
  eachTagged<FuncCall>(root, 'FuncCall', (call) => {
    const parts = strings(call.funcname);
    const name = qualifiedKey(parts);
    if (name === 'setval' || name === 'pg_catalog.setval') {
      ctx.hit('alter-sequence', `sets sequence ${sequenceArg(call.args?.[0])} with setval()`);
    } else if (parts.length && parts[0] !== 'pg_catalog') {
      callRoutine(ctx, name, false);
    }
  });
}

function sequenceArg(arg: Node | undefined): string {
  let value: Node | undefined = arg;
  const cast = as<{ arg?: Node }>(value, 'TypeCast');
  if (cast) value = cast.arg;
  return as<{ sval?: { sval?: string } }>(value, 'A_Const')?.sval?.sval ?? '(computed)';
}

/** INSERT (D1), ON CONFLICT DO UPDATE (D2). */
export function insert(ctx: Ctx, stmt: InsertStmt): void {
  ctx.adds();
  ctes(ctx, stmt.withClause);
  calls(ctx, stmt.selectStmt);
  const table = relationKey(stmt.relation);
  if (stmt.onConflictClause?.action === 'ONCONFLICT_UPDATE' && !ctx.freshTable(table)) {
    ctx.hit('upsert-rows', `inserts into ${table} with ON CONFLICT DO UPDATE, which may overwrite existing rows`);
  }
}

/** UPDATE: a backfill of columns this release added (D3), or a change to data the previous release reads (D4). */
export function update(ctx: Ctx, stmt: UpdateStmt): void {
  ctes(ctx, stmt.withClause);
  const table = relationKey(stmt.relation);
  if (ctx.freshTable(table)) {
    ctx.adds();
    return;
  }
  const columns = [...new Set((stmt.targetList ?? []).map((t) => as<ResTarget>(t, 'ResTarget')?.name ?? ''))];
  const existing = columns.filter((c) => !ctx.freshColumn(table, c));
  const where = stmt.whereClause ? '' : ' (every row)';
  if (existing.length === 0 && columns.length > 0) {
    ctx.adds();
    ctx.hit(
      'backfill',
      `fills new column${columns.length > 1 ? 's' : ''} ${columns.map((c) => `${table}.${c}`).join(', ')} in one statement${where}`,
    );
  } else {
    ctx.hit('update-rows', `updates ${existing.map((c) => `${table}.${c}`).join(', ')}${where}`);
  }
}

/** DELETE (D5). */
export function remove(ctx: Ctx, stmt: DeleteStmt): void {
  ctes(ctx, stmt.withClause);
  const table = relationKey(stmt.relation);
  if (!ctx.freshTable(table))
    ctx.hit('delete-rows', `deletes rows of ${table}${stmt.whereClause ? '' : ' (every row)'}`);
}

/** MERGE (D2): updates and deletes existing rows, inserts new ones. */
export function merge(ctx: Ctx, stmt: MergeStmt): void {
  ctes(ctx, stmt.withClause);
  const table = relationKey(stmt.relation);
  const fresh = ctx.freshTable(table);
  const kinds = new Set(
    (stmt.mergeWhenClauses ?? []).map((c) => as<MergeWhenClause>(c, 'MergeWhenClause')?.commandType),
  );
  if (kinds.has('CMD_INSERT')) ctx.adds();
  if (fresh) return;
  if (kinds.has('CMD_UPDATE')) ctx.hit('upsert-rows', `merges into ${table}, updating rows that exist`);
  if (kinds.has('CMD_DELETE')) ctx.hit('delete-rows', `merges into ${table}, deleting rows that match`);
}

/** TRUNCATE (T6). */
export function truncate(ctx: Ctx, stmt: TruncateStmt): void {
  const cascade = stmt.behavior === 'DROP_CASCADE' ? ' with CASCADE' : '';
  for (const node of stmt.relations ?? []) {
    const table = relationKey(as<RangeVar>(node, 'RangeVar'));
    if (!ctx.freshTable(table)) ctx.hit('truncate-table', `truncates ${table}${cascade}`);
  }
}

/** SELECT (D6): neutral, unless it creates a table (SELECT INTO), writes in a CTE or calls setval(). */
export function select(ctx: Ctx, stmt: SelectStmt): void {
  if (stmt.intoClause) createFromQuery(ctx, stmt.intoClause, 'table');
  ctes(ctx, stmt.withClause);
  calls(ctx, stmt);
}

/** COPY: FROM loads rows (D1), TO only reads. */
export function copy(ctx: Ctx, stmt: CopyStmt): void {
  if (stmt.is_from) ctx.adds();
}

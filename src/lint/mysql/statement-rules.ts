import type { Action } from './actions.js';
import { algorithmRules, alterTableRules, indexRules, renameTableRules } from './alter-rules.js';
import type { RuleContext } from './context.js';
import { key } from './schema-model.js';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

function createTable(ctx: RuleContext, a: Of<'create-table'>): void {
  if (a.ifNotExists && ctx.model.table(a.table)) return;
  if (a.orReplace && ctx.model.table(a.table) && !ctx.freshTable(a.table) && !a.temporary)
    ctx.report('drop-table', `replaces table ${a.table} (CREATE OR REPLACE drops the existing table and its rows)`);
  if (a.like) ctx.model.copyTable(a.table, a.like);
  else ctx.model.createTable(a.table, a.columns, a.indexes);
  ctx.fresh.add('table', key(a.table));
}

function dropTable(ctx: RuleContext, a: Of<'drop-table'>): void {
  for (const t of a.tables) {
    const known = ctx.model.table(t) !== undefined || ctx.model.views.has(key(t));
    if (!a.temporary && !ctx.freshTable(t) && !(a.ifExists && !known)) ctx.report('drop-table', `drops table ${t}`);
    ctx.fresh.delete('table', key(t));
    ctx.model.dropTable(t);
  }
}

function routine(ctx: RuleContext, a: Of<'create-routine'> | Of<'drop-routine'> | Of<'alter-routine'>): void {
  const id = `${a.routine}:${key(a.name)}`;
  const label = `${a.routine} ${a.name}`;
  const exists = ctx.model.routines.has(id);
  const isFresh = ctx.fresh.has(a.routine, key(a.name));
  if (a.kind === 'drop-routine') {
    if (!isFresh && !(a.ifExists && !exists)) {
      const hit = ctx.report('drop-function', `drops ${label}`);
      ctx.dropped.set(id, { hits: ctx.hits, hit });
    }
    ctx.model.routines.delete(id);
    ctx.fresh.delete(a.routine, key(a.name));
    return;
  }
  if (a.kind === 'alter-routine') {
    if (!isFresh) ctx.report('replace-function', `changes the SQL SECURITY of ${label}`);
    return;
  }
  if (a.ifNotExists && exists) return;
  const dropped = ctx.dropped.get(id);
  if (dropped) {
    // DROP + CREATE in one file replaces the routine the previous release calls.
    ctx.takeBack(dropped);
    ctx.dropped.delete(id);
    ctx.report('replace-function', `replaces ${label} (dropped and created again)`);
  } else if (exists && !isFresh) ctx.report('replace-function', `replaces ${label}`);
  else if (!exists) ctx.fresh.add(a.routine, key(a.name));
  ctx.model.routines.add(id);
}

function view(ctx: RuleContext, a: Of<'create-view'>): void {
  const id = `view:${key(a.name)}`;
  const exists = ctx.model.views.has(key(a.name));
  const isFresh = ctx.fresh.has('view', key(a.name));
  const dropped = ctx.dropped.get(id);
  const renamed = ctx.renamed.get(key(a.name));
  if (renamed && !exists) {
    // RENAME TABLE old TO new + CREATE VIEW old keeps the old name working (AT ViewForRenamedT).
    ctx.takeBack(renamed);
    ctx.renamed.delete(key(a.name));
  }
  if (dropped) {
    ctx.takeBack(dropped);
    ctx.dropped.delete(id);
    ctx.report('replace-view', `redefines view ${a.name} (dropped and created again)`);
  } else if (exists && !isFresh && (a.orReplace || a.alter)) ctx.report('replace-view', `redefines view ${a.name}`);
  else if (!exists && a.alter) ctx.report('replace-view', `redefines view ${a.name} (ALTER VIEW)`);
  if (!exists && !a.alter) ctx.fresh.add('view', key(a.name));
  ctx.model.views.add(key(a.name));
}

function dropView(ctx: RuleContext, a: Of<'drop-view'>): void {
  for (const v of a.names) {
    const exists = ctx.model.views.has(key(v));
    if (!ctx.fresh.has('view', key(v)) && !(a.ifExists && !exists)) {
      const hit = ctx.report('drop-view', `drops view ${v}`);
      ctx.dropped.set(`view:${key(v)}`, { hits: ctx.hits, hit });
    }
    ctx.model.views.delete(key(v));
    ctx.fresh.delete('view', key(v));
  }
}

function dataRules(
  ctx: RuleContext,
  a: Of<'insert'> | Of<'update'> | Of<'delete'> | Of<'truncate'> | Of<'optimize'>,
): void {
  switch (a.kind) {
    case 'insert':
      if (ctx.freshTable(a.table)) return;
      if (a.replace)
        ctx.report(
          'upsert-rows',
          `replaces rows of ${a.table} (REPLACE deletes and inserts rows that collide on a key)`,
        );
      else if (a.upsert) ctx.report('upsert-rows', `inserts or updates rows of ${a.table} (ON DUPLICATE KEY UPDATE)`);
      return;
    case 'update': {
      if (a.tables.every((t) => ctx.freshTable(t))) return;
      const owner = (c: { table?: string; column: string }): string | undefined =>
        c.table ?? (a.tables.length === 1 ? a.tables[0] : a.tables.find((t) => ctx.model.column(t, c.column)));
      const fresh =
        a.columns.length > 0 &&
        a.columns.every((c) => {
          const t = owner(c);
          return t !== undefined && ctx.freshColumn(t, c.column);
        });
      const cols = a.columns.map((c) => `${owner(c) ?? a.tables[0]}.${c.column}`).join(', ');
      if (fresh) ctx.report('backfill', `fills ${cols}, added by this release, in one statement`);
      else ctx.report('update-rows', `updates existing rows of ${a.tables.join(', ')}${cols ? ` (sets ${cols})` : ''}`);
      return;
    }
    case 'delete': {
      const old = a.tables.filter((t) => !ctx.freshTable(t));
      if (old.length) ctx.report('delete-rows', `deletes rows of ${old.join(', ')}`);
      return;
    }
    case 'truncate':
      for (const t of a.tables) if (!ctx.freshTable(t)) ctx.report('truncate-table', `empties table ${t}`);
      return;
    case 'optimize':
      for (const t of a.tables)
        if (!ctx.freshTable(t)) ctx.report('table-rewrite', `rebuilds table ${t} (OPTIMIZE TABLE)`);
      return;
  }
}

// ALTER TABLE clauses that add something; table options, drops and renames alone change nothing additive.
const ADDITIVE_CLAUSES = new Set([
  'add-column',
  'modify-column',
  'set-default',
  'visibility',
  'add-index',
  'add-foreign-key',
  'add-check',
  'alter-check',
  'index-visibility',
]);

/** Whether a statement that matched no rule adds something (E) or changes nothing (N). */
export function baseClass(a: Action): 'E' | 'N' {
  switch (a.kind) {
    case 'alter-table':
      return a.clauses.some((c) => ADDITIVE_CLAUSES.has(c.kind)) ? 'E' : 'N';
    case 'create-table':
    case 'create-index':
    case 'create-view':
    case 'create-routine':
    case 'create-trigger':
    case 'create-schema':
    case 'grant':
    case 'insert':
    case 'additive':
      return 'E';
    case 'sequence':
      return a.verb === 'create' ? 'E' : 'N';
    default:
      return 'N';
  }
}

/** Reports what one action breaks for the previous release, and applies it to the model. */
export function actionRules(ctx: RuleContext, a: Action): void {
  switch (a.kind) {
    case 'create-table':
      return createTable(ctx, a);
    case 'alter-table':
      return alterTableRules(ctx, a.table, a.clauses);
    case 'drop-table':
      return dropTable(ctx, a);
    case 'rename-table':
      for (const [from, to] of a.pairs) renameTableRules(ctx, from, to);
      return;
    case 'create-index':
      indexRules(ctx, a.table, a.name, a.index);
      algorithmRules(ctx, a.table, a.algorithm, a.lock);
      ctx.model.addIndex(ctx.model.ensureTable(a.table), a.name, a.index);
      ctx.fresh.add('index', `${key(a.table)}.${key(a.name)}`);
      return;
    case 'drop-index':
      if (!ctx.freshIndex(a.table, a.name)) ctx.report('drop-index', `drops index ${a.name} of ${a.table}`);
      algorithmRules(ctx, a.table, a.algorithm, a.lock);
      ctx.model.table(a.table)?.indexes.delete(key(a.name));
      return;
    case 'create-view':
      return view(ctx, a);
    case 'drop-view':
      return dropView(ctx, a);
    case 'rename-view':
      return renameTableRules(ctx, a.from, a.to);
    case 'create-routine':
    case 'drop-routine':
    case 'alter-routine':
      return routine(ctx, a);
    case 'create-trigger':
      if (!ctx.freshTable(a.table)) ctx.report('create-trigger', `creates trigger ${a.name} on ${a.table}`);
      ctx.model.triggers.add(key(a.name));
      ctx.fresh.add('trigger', key(a.name));
      return;
    case 'drop-trigger': {
      const exists = ctx.model.triggers.has(key(a.name));
      if (!ctx.fresh.has('trigger', key(a.name)) && !(a.ifExists && !exists))
        ctx.report('drop-trigger', `drops trigger ${a.name}`);
      ctx.model.triggers.delete(key(a.name));
      ctx.fresh.delete('trigger', key(a.name));
      return;
    }
    case 'event': {
      const exists = ctx.model.events.has(key(a.name));
      const isFresh = ctx.fresh.has('event', key(a.name));
      // A new event runs on its own schedule against data the previous release uses.
      if (a.verb === 'create') ctx.report('mysql-event', `creates event ${a.name}`);
      else if (!isFresh && !(a.ifExists && !exists))
        ctx.report('mysql-event', `${a.verb === 'drop' ? 'drops' : 'changes'} event ${a.name}`);
      if (a.verb === 'create') {
        ctx.model.events.add(key(a.name));
        ctx.fresh.add('event', key(a.name));
      } else if (a.verb === 'drop') ctx.model.events.delete(key(a.name));
      return;
    }
    case 'call':
      ctx.report('call-procedure', `calls procedure ${a.name}`);
      return;
    case 'create-schema':
      ctx.fresh.add('database', key(a.name));
      return;
    case 'drop-schema':
      if (!ctx.fresh.has('database', key(a.name))) ctx.report('drop-schema', `drops database ${a.name}`);
      return;
    case 'revoke':
      ctx.report('revoke', a.what);
      return;
    case 'insert':
    case 'update':
    case 'delete':
    case 'truncate':
    case 'optimize':
      return dataRules(ctx, a);
    case 'sequence': {
      const isFresh = ctx.fresh.has('sequence', key(a.name));
      if (a.verb === 'create') ctx.fresh.add('sequence', key(a.name));
      else if (a.verb === 'alter' && !isFresh) ctx.report('alter-sequence', `changes sequence ${a.name}`);
      else if (a.verb === 'drop' && !isFresh) ctx.report('drop-sequence', `drops sequence ${a.name}`);
      return;
    }
    case 'unknown':
      ctx.report('unparsed', `could not read the statement: ${a.why}`);
      return;
    case 'grant':
    case 'additive':
    case 'neutral':
      return;
  }
}

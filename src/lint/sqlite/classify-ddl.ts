import type { Hit } from '../types.js';
import type { Step } from './apply.js';
import {
  copyRenames,
  isTempVariant,
  knownDef,
  primaryKeyLookup,
  replacement,
  waitingCopy,
  type Context,
} from './context.js';
import type { DroppedTable, Effect, PTable } from './model.js';
import { keyOf, type IndexInfo, type ObjectInfo, type TableInfo } from './schema.js';
import { diffTable } from './table-diff.js';

/** The hits of one statement's schema effect, and whether it added something (base E). */
export interface DdlVerdict {
  hits: Hit[];
  added: boolean;
}

/** Whether an index of the previous release comes back, by name or by definition, on the final table. */
function restoredIndex(ctx: Context, index: IndexInfo, logical: string): boolean {
  const byName = ctx.model.index(index.name);
  if (byName && byName.key === index.key) return true;
  return ctx.model.indexesOf(logical).some((i) => i.key === index.key);
}

function restoredTrigger(ctx: Context, trigger: ObjectInfo): boolean {
  return ctx.model.trigger(trigger.name)?.key === trigger.key;
}

/** What a dropped table's indexes and triggers cost the previous release, when the rebuild does not recreate them. */
function lostWithTable(ctx: Context, dropped: DroppedTable, logical: string, hits: Hit[]): void {
  const lost = ctx.lost.get(keyOf(logical)) ?? { indexes: [], triggers: [] };
  for (const index of dropped.indexes) {
    if (!ctx.snapshot.indexes.has(keyOf(index.name))) continue;
    lost.indexes.push(index);
    if (!restoredIndex(ctx, index, logical))
      hits.push({
        code: 'drop-index',
        message: `drops index ${index.name} on ${logical} with the rebuilt table and does not recreate it`,
      });
  }
  for (const trigger of dropped.triggers) {
    if (!ctx.snapshot.triggers.has(keyOf(trigger.name))) continue;
    lost.triggers.push(trigger);
    if (!ctx.model.trigger(trigger.name))
      hits.push({
        code: 'drop-trigger',
        message: `drops trigger ${trigger.name} on ${logical} with the rebuilt table and does not recreate it`,
      });
  }
  ctx.lost.set(keyOf(logical), lost);
}

function rebuildHits(ctx: Context, old: TableInfo, next: PTable): Hit[] {
  return diffTable(
    old,
    { ...next.info, name: old.name },
    { renames: copyRenames(next), primaryKeyOf: primaryKeyLookup(ctx) },
  );
}

/** The old definition of `logical` the previous release knows. */
function oldDefinition(ctx: Context, table: PTable, logical: string, fallback: TableInfo): TableInfo {
  return (
    ctx.snapshot.tableIds.get(table.id) ??
    ctx.snapshot.tables.get(keyOf(logical)) ??
    ctx.pending.get(keyOf(logical))?.old ??
    fallback
  );
}

function droppedTable(ctx: Context, d: DroppedTable, hits: Hit[]): void {
  const logical = d.holds;
  if (d.table.schema !== 'main' || logical === null) return;
  const name = d.info.name;
  if (keyOf(name) !== keyOf(logical)) {
    // A copy or a renamed original going away: part of a rebuild when the rows live on under the old name.
    if (replacement(ctx, logical, d.table)) return lostWithTable(ctx, d, logical, hits);
    if (ctx.snapshot.tableIds.has(d.table.id)) hits.push({ code: 'drop-table', message: `drops table ${name}` });
    return;
  }
  const old = oldDefinition(ctx, d.table, logical, d.info);
  const done = replacement(ctx, logical, d.table);
  if (done) {
    hits.push(...rebuildHits(ctx, old, done));
    lostWithTable(ctx, d, logical, hits);
    return;
  }
  const waiting = waitingCopy(ctx, logical, d.table);
  if (waiting) {
    // The rename comes in a later file: judge the copy as it stands; its indexes may come later too.
    hits.push(...rebuildHits(ctx, old, waiting));
    ctx.pending.set(keyOf(logical), { old });
    const lost = ctx.lost.get(keyOf(logical)) ?? { indexes: [], triggers: [] };
    lost.indexes.push(...d.indexes);
    lost.triggers.push(...d.triggers);
    ctx.lost.set(keyOf(logical), lost);
    return;
  }
  const again = ctx.model.table(logical, 'main');
  hits.push({
    code: 'drop-table',
    message: again ? `drops table ${name} and creates it again without its rows` : `drops table ${name}`,
  });
}

function renamedTable(ctx: Context, e: Effect, r: Effect['renamedTables'][number], hits: Hit[]): void {
  const logical = r.table.holds;
  if (r.table.schema !== 'main' || logical === null) return;
  if (keyOf(r.to) === keyOf(logical) && keyOf(r.from) !== keyOf(logical)) {
    ctx.pending.delete(keyOf(logical));
    return;
  }
  if (keyOf(r.from) === keyOf(logical)) {
    const done = replacement(ctx, logical, r.table);
    if (done) {
      // The original steps aside for a new table that takes its name and rows: one modification.
      hits.push(...rebuildHits(ctx, oldDefinition(ctx, r.table, logical, r.table.info), done));
      // Since 3.26 (unless legacy_alter_table is on) the rename also rewrites other tables' foreign
      // keys to follow the original, which the rebuild then drops (sqlite.org "ALTER TABLE" §7 warns of this).
      for (const { table: child, after } of e.changedTables) {
        if (child === r.table || !after.fks.some((f) => keyOf(f.table) === keyOf(r.to))) continue;
        hits.push({
          code: 'drop-constraint',
          message: `makes the foreign keys of ${child.name} follow ${logical} to ${r.to}, which the rebuild drops: writes to ${child.name} fail while foreign_keys is on`,
        });
      }
      return;
    }
  }
  if (ctx.snapshot.tableIds.has(r.table.id))
    hits.push({ code: 'rename-table', message: `renames table ${r.from} to ${r.to}` });
}

/** The table reduced to one column, to compare a column that a file drops and rebuilds under the same name. */
function onlyColumn(table: TableInfo, column: TableInfo['columns'][number]): TableInfo {
  return { ...table, columns: [column], fks: [], uniques: [], checks: [] };
}

function alteredTable(ctx: Context, step: Step, hits: Hit[]): void {
  const alter = step.text.alter;
  const table = step.table;
  const change = step.effect?.changedTables.find((c) => c.table === table);
  if (!alter || !table || !change) return;
  const known = knownDef(ctx, table);
  if (!known) return;
  const at = alter.at;
  const primaryKeyOf = primaryKeyLookup(ctx);
  // Two ways to rebuild one column c, each one change of c as the previous release sees it:
  // ADD c2; UPDATE SET c2 = c; DROP c; RENAME c2 TO c, and RENAME c TO c_old; ADD c; UPDATE SET c = c_old; DROP c_old.
  const column = alter.kind === 'drop-column' ? alter.column : alter.kind === 'rename-column' ? alter.from : undefined;
  const carried =
    alter.kind === 'drop-column'
      ? [...(table.columnCopies?.values() ?? [])].some((from) => keyOf(from) === keyOf(alter.column))
      : alter.kind === 'rename-column' && keyOf(table.columnCopies?.get(keyOf(alter.from)) ?? '') === keyOf(alter.to);
  const was = column === undefined ? undefined : known.columns.find((c) => keyOf(c.name) === keyOf(column));
  const now =
    column === undefined || table.dropped ? undefined : table.info.columns.find((c) => keyOf(c.name) === keyOf(column));
  if (was && now && carried) {
    hits.push(...diffTable(onlyColumn(known, was), onlyColumn(known, now), { renames: new Map(), at, primaryKeyOf }));
    return;
  }
  const knownColumns = new Set(known.columns.map((c) => keyOf(c.name)));
  const had = new Set(change.before.columns.map((c) => keyOf(c.name)));
  const before: TableInfo = {
    ...change.before,
    columns: change.before.columns.filter((c) => knownColumns.has(keyOf(c.name))),
  };
  const kept = new Set(before.columns.map((c) => keyOf(c.name)));
  const renames = new Map<string, string>();
  if (alter.kind === 'rename-column' && kept.has(keyOf(alter.from))) renames.set(keyOf(alter.from), alter.to);
  // Columns of this release stay out of the comparison, and so does a known column coming back
  // (renamed into place after a drop): its change was judged at its DROP COLUMN.
  const after: TableInfo = {
    ...change.after,
    columns: change.after.columns.filter((c) => {
      const key = keyOf(c.name);
      return (
        kept.has(key) ||
        [...renames.values()].some((to) => keyOf(to) === key) ||
        (!had.has(key) && !knownColumns.has(key))
      );
    }),
  };
  hits.push(...diffTable(before, after, { renames, at, primaryKeyOf }));
}

function createdIndex(ctx: Context, c: Effect['createdIndexes'][number], hits: Hit[]): void {
  const logical = c.table?.holds;
  if (!c.table || logical === null || logical === undefined) return;
  const old = [...ctx.snapshot.indexes.values()].filter((i) => keyOf(i.table) === keyOf(logical));
  const lost = ctx.lost.get(keyOf(logical))?.indexes ?? [];
  // The same key (whatever the name) as an index that is gone: queries get their plan back.
  const gone = (i: IndexInfo): boolean =>
    ctx.model.index(i.name)?.key !== i.key || keyOf(i.name) === keyOf(c.index.name);
  const same = (i: IndexInfo): boolean => i.key === c.index.key && gone(i);
  // Recreating what a rebuild dropped is part of the rebuild (its lock is reported on the copy);
  // recreating an index dropped on its own tightens nothing, but the build still holds the lock.
  if (lost.some(same)) return;
  if (old.some(same)) {
    if (c.populated)
      hits.push({
        code: 'index-not-concurrent',
        message: `builds index ${c.index.name} on ${c.table.name} again while holding the database write lock`,
      });
    return;
  }
  // Columns the previous release filled hold data; columns added since are empty, so indexing them
  // neither tightens anything nor takes long. A copied table without a known definition is all data.
  const known =
    knownDef(ctx, c.table) ??
    (isTempVariant(c.table.name, logical)
      ? (ctx.snapshot.tables.get(keyOf(logical)) ?? ctx.pending.get(keyOf(logical))?.old)
      : undefined);
  const knownColumns = known ? new Set(known.columns.map((col) => keyOf(col.name))) : undefined;
  const onData = c.index.columns.some((col) => col === null || !knownColumns || knownColumns.has(keyOf(col)));
  const cols = c.index.columns.map((col) => col ?? '<expression>').join(', ');
  const table = known && isTempVariant(c.table.name, logical) ? logical : c.table.name;
  if (c.index.unique && known && onData)
    hits.push({ code: 'add-unique', message: `adds unique index ${c.index.name} on ${table} (${cols})` });
  else if (c.populated && onData)
    hits.push({
      code: 'index-not-concurrent',
      message: `builds index ${c.index.name} on ${table} (${cols}) while holding the database write lock`,
    });
}

function droppedIndex(ctx: Context, d: Effect['droppedIndexes'][number], hits: Hit[]): void {
  if (ctx.snapshot.indexes.get(keyOf(d.index.name))?.key !== d.index.key) return;
  const logical = d.table?.holds ?? d.index.table;
  if (restoredIndex(ctx, d.index, logical)) return;
  hits.push({ code: 'drop-index', message: `drops index ${d.index.name} on ${logical}` });
}

/** Classifies the schema effect of a statement: tables, columns, indexes, views and triggers. */
export function classifyEffect(ctx: Context, step: Step): DdlVerdict {
  const e = step.effect;
  const hits: Hit[] = [];
  if (!e) return { hits, added: false };
  for (const d of e.droppedTables) droppedTable(ctx, d, hits);
  for (const r of e.renamedTables) renamedTable(ctx, e, r, hits);
  if (step.text.verb === 'alter' && step.text.alter?.kind !== 'rename-table') alteredTable(ctx, step, hits);
  for (const c of e.createdIndexes) createdIndex(ctx, c, hits);
  for (const d of e.droppedIndexes) droppedIndex(ctx, d, hits);
  for (const v of e.createdViews) {
    const old = ctx.snapshot.views.get(keyOf(v.name));
    if (old && old.key !== v.key) hits.push({ code: 'replace-view', message: `redefines view ${v.name}` });
  }
  for (const v of e.droppedViews) {
    if (ctx.snapshot.views.has(keyOf(v.name)) && !ctx.model.view(v.name))
      hits.push({ code: 'drop-view', message: `drops view ${v.name}` });
  }
  for (const { trigger, table } of e.createdTriggers) {
    // INSTEAD OF triggers on a view the previous release writes through count as much as table triggers.
    const on = table ? table.holds : ctx.snapshot.views.has(keyOf(trigger.table)) ? trigger.table : null;
    if (on === null) continue;
    const restores = [
      ctx.snapshot.triggers.get(keyOf(trigger.name)),
      ...(ctx.lost.get(keyOf(on))?.triggers ?? []),
    ].some((t) => t?.key === trigger.key);
    if (!restores) hits.push({ code: 'create-trigger', message: `creates trigger ${trigger.name} on ${on}` });
  }
  for (const { trigger } of e.droppedTriggers) {
    if (ctx.snapshot.triggers.has(keyOf(trigger.name)) && !restoredTrigger(ctx, trigger))
      hits.push({ code: 'drop-trigger', message: `drops trigger ${trigger.name}` });
  }
  const added =
    e.createdTables.some((t) => t.schema === 'main') ||
    e.createdIndexes.length > 0 ||
    e.createdViews.length > 0 ||
    e.createdTriggers.length > 0 ||
    step.text.alter?.kind === 'add-column';
  return { hits, added };
}

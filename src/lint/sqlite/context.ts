import type { SchemaModel, PTable, Snapshot } from './model.js';
import { keyOf, primaryKey, type IndexInfo, type ObjectInfo, type TableInfo } from './schema.js';

/** A table rebuild whose copy replaced the original in one file but takes the original's name in a later one. */
export interface PendingRebuild {
  /** The definition the previous release knows. */
  old: TableInfo;
}

/** Indexes and triggers that went away with a rebuilt table; recreating one of them restores it. */
export interface Lost {
  indexes: IndexInfo[];
  triggers: ObjectInfo[];
}

/** What the classifier knows besides the statement: the schema now, as the previous release saw it, and rebuilds in flight. */
export interface Context {
  readonly model: SchemaModel;
  snapshot: Snapshot;
  /** Rebuilds waiting for their RENAME, by the lower-cased original name. */
  readonly pending: Map<string, PendingRebuild>;
  /** What rebuilt tables lost, by the lower-cased table name. */
  readonly lost: Map<string, Lost>;
}

/** The previous release's definition of the table `t` stands for, or undefined when that release never saw it. */
export function knownDef(ctx: Context, t: PTable): TableInfo | undefined {
  const byId = ctx.snapshot.tableIds.get(t.id);
  if (byId) return byId;
  if (t.holds === null || keyOf(t.name) !== keyOf(t.holds)) return undefined;
  return ctx.snapshot.tables.get(keyOf(t.holds)) ?? ctx.pending.get(keyOf(t.holds))?.old;
}

/** Whether `name` reads as a scratch copy of `table`: `_t_tmp`, `t_new`, `new_t`, `t_old`, `t_backup`, `t_`, `t2`. */
export function isTempVariant(name: string, table: string): boolean {
  const n = keyOf(name);
  const l = keyOf(table);
  if (n === l || !n.includes(l)) return false;
  const rest = n.replace(l, ' ');
  return /^(?:[_\W]|tmp|temp|new|old|copy|backup|bak|orig|v?\d+)*\s(?:[_\W]|tmp|temp|new|old|copy|backup|bak|orig|v?\d+)*$/.test(
    rest,
  );
}

/**
 * The table that ends the file under the name `logical` while holding its rows: the product of a
 * rebuild (renamed copy, or recreated and refilled table). Undefined when the name is gone or was
 * taken by a table without the old rows.
 */
export function replacement(ctx: Context, logical: string, original: PTable): PTable | undefined {
  const final = ctx.model.table(logical, 'main');
  if (!final || final.id === original.id || final.holds === null || keyOf(final.holds) !== keyOf(logical))
    return undefined;
  return final;
}

/** A holder of `logical`'s rows still waiting for its rename: a scratch-named copy alive at the end of the file. */
export function waitingCopy(ctx: Context, logical: string, original: PTable): PTable | undefined {
  return ctx.model
    .tables()
    .find(
      (t) =>
        t.id !== original.id && t.holds !== null && keyOf(t.holds) === keyOf(logical) && isTempVariant(t.name, logical),
    );
}

/** The primary key of a live table, for foreign keys that reference it implicitly. */
export function primaryKeyLookup(ctx: Context): (table: string) => readonly string[] | undefined {
  return (table) => {
    const t = ctx.model.table(table, 'main');
    return t ? primaryKey(t.info) : undefined;
  };
}

/** The old-to-new column renames a copy reveals: `INSERT INTO t2 (new_name) SELECT old_name FROM t`. */
export function copyRenames(t: PTable): Map<string, string> {
  const renames = new Map<string, string>();
  for (const [target, source] of t.copiedFrom ?? [])
    if (keyOf(target) !== keyOf(source)) renames.set(keyOf(source), target);
  return renames;
}

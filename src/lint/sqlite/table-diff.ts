import type { Hit } from '../types.js';
import { keyOf, primaryKey, type ColumnInfo, type ForeignKey, type TableInfo } from './schema.js';

/** How a table's old and new definitions relate. */
export interface DiffContext {
  /** Old column name (lower case) to new name, for renames known from the statement or the copy. */
  renames: ReadonlyMap<string, string>;
  /** Where the hits point in the statement. */
  at?: number;
  /** The primary key of a referenced table, for foreign keys that name it implicitly. */
  primaryKeyOf(table: string): readonly string[] | undefined;
  /** Unique column sets that still hold after the change through indexes (a constraint moved to an index is not dropped). */
  uniqueIndexes?: ReadonlySet<string>;
}

/** SQLite's column affinity from a declared type (sqlite.org "Datatypes In SQLite" §3.1). */
export function affinity(declared: string): string {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const list = (columns: readonly string[]): string => columns.join(', ');
// `DEFAULT NULL` is no default at all.
const squash = (text: string | null): string | null => {
  const t = text?.replace(/\s+/g, ' ').trim().toLowerCase() ?? null;
  return t === null || t === 'null' ? null : t;
};

// NO ACTION and RESTRICT differ only in when the check runs within a statement.
const action = (a: string): string => (a.toUpperCase() === 'RESTRICT' ? 'NO ACTION' : a.toUpperCase());

/** What a foreign key links, without its actions. */
function fkLink(fk: ForeignKey, rename: (c: string) => string, pk: DiffContext['primaryKeyOf']): string {
  const to = fk.to.length > 0 ? fk.to : (pk(fk.table) ?? []);
  return `${fk.columns.map(rename).join(',')}>${fk.table}(${to.join(',')})`.toLowerCase();
}

const fkActions = (fk: ForeignKey): string => `ON UPDATE ${action(fk.onUpdate)} ON DELETE ${action(fk.onDelete)}`;

function fkText(fk: ForeignKey): string {
  const actions = [
    action(fk.onUpdate) !== 'NO ACTION' ? ` ON UPDATE ${fk.onUpdate}` : '',
    action(fk.onDelete) !== 'NO ACTION' ? ` ON DELETE ${fk.onDelete}` : '',
  ].join('');
  return `foreign key (${list(fk.columns)}) → ${fk.table}${fk.to.length ? `(${list(fk.to)})` : ''}${actions}`;
}

/**
 * Compares two definitions of one table, as the previous and the new release see it, and names
 * every change the previous release would notice. Used for ALTER TABLE and for table rebuilds.
 */
export function diffTable(old: TableInfo, next: TableInfo, ctx: DiffContext): Hit[] {
  if (old.virtual || next.virtual) return [];
  const hits: Hit[] = [];
  const hit = (code: string, message: string): void =>
    void hits.push({ code, message, ...(ctx.at !== undefined ? { at: ctx.at } : {}) });
  const t = next.name;
  const rename = (c: string): string => ctx.renames.get(keyOf(c)) ?? c;
  const newCols = new Map(next.columns.map((c) => [keyOf(c.name), c]));
  const oldCols = new Map(old.columns.map((c) => [keyOf(c.name), c]));
  const renamedTo = new Set<string>();
  const pairs: [ColumnInfo, ColumnInfo][] = [];

  for (const c of old.columns) {
    const target = ctx.renames.get(keyOf(c.name));
    const renamed =
      target !== undefined &&
      keyOf(target) !== keyOf(c.name) &&
      newCols.has(keyOf(target)) &&
      !newCols.has(keyOf(c.name));
    if (renamed) {
      renamedTo.add(keyOf(target));
      hit('rename-column', `renames column ${t}.${c.name} to ${target}`);
      pairs.push([c, newCols.get(keyOf(target))!]);
    } else if (newCols.has(keyOf(c.name))) {
      pairs.push([c, newCols.get(keyOf(c.name))!]);
    } else {
      hit('drop-column', `drops column ${t}.${c.name}`);
    }
  }
  for (const c of next.columns) {
    const key = keyOf(c.name);
    if (oldCols.has(key) || renamedTo.has(key)) continue;
    if (c.notNull && c.dflt === null && c.hidden === 0)
      hit('add-column-required', `adds NOT NULL column ${t}.${c.name} without a default`);
  }
  for (const [before, after] of pairs) {
    const name = `${t}.${after.name}`;
    if (affinity(before.type) !== affinity(after.type)) {
      hit(
        'alter-column-type',
        `changes the type of ${name} from ${before.type || '(none)'} to ${after.type || '(none)'} (${affinity(before.type)} to ${affinity(after.type)} affinity)`,
      );
    }
    if (!before.notNull && after.notNull) hit('set-not-null', `makes ${name} NOT NULL`);
    if (before.notNull && !after.notNull) hit('drop-not-null', `allows NULL in ${name}`);
    const was = squash(before.dflt);
    const now = squash(after.dflt);
    if (was !== null && now === null) hit('drop-default', `drops the default of ${name} (was ${before.dflt})`);
    if (was !== null && now !== null && was !== now)
      hit('change-default', `changes the default of ${name} from ${before.dflt} to ${after.dflt}`);
  }

  const existing = (c: string): boolean => [...oldCols.values()].some((o) => keyOf(rename(o.name)) === keyOf(c));
  const oldPk = primaryKey(old).map(rename);
  const newPk = primaryKey(next);
  if (keyOf(list(oldPk)) !== keyOf(list(newPk))) {
    if (oldPk.length > 0) hit('drop-constraint', `drops the primary key (${list(oldPk)}) of ${t}`);
    if (newPk.length > 0 && newPk.some(existing))
      hit('add-primary-key', `adds the primary key (${list(newPk)}) to ${t}`);
  }

  const uniqueKey = (cols: readonly string[]): string => keyOf(cols.join(','));
  const oldUniques = new Set(old.uniques.filter((u) => u.origin === 'u').map((u) => uniqueKey(u.columns.map(rename))));
  const newUniques = new Set(next.uniques.filter((u) => u.origin === 'u').map((u) => uniqueKey(u.columns)));
  for (const u of next.uniques) {
    const key = uniqueKey(u.columns);
    if (u.origin !== 'u' || oldUniques.has(key) || key === uniqueKey(oldPk) || ctx.uniqueIndexes?.has(`old:${key}`))
      continue;
    if (u.columns.some(existing)) hit('add-unique', `adds UNIQUE (${list(u.columns)}) to ${t}`);
  }
  for (const u of old.uniques) {
    const cols = u.columns.map(rename);
    const key = uniqueKey(cols);
    if (u.origin !== 'u' || newUniques.has(key) || key === uniqueKey(newPk) || ctx.uniqueIndexes?.has(`new:${key}`))
      continue;
    if (cols.every((c) => newCols.has(keyOf(c)))) hit('drop-constraint', `drops UNIQUE (${list(cols)}) from ${t}`);
  }

  const oldFks = new Map(old.fks.map((f) => [fkLink(f, rename, ctx.primaryKeyOf), f]));
  const newFks = new Map(next.fks.map((f) => [fkLink(f, (c) => c, ctx.primaryKeyOf), f]));
  for (const [link, fk] of newFks) {
    const was = oldFks.get(link);
    if (!was) {
      if (fk.columns.some(existing)) hit('add-foreign-key', `adds ${fkText(fk)} to ${t}`);
    } else if (fkActions(was) !== fkActions(fk)) {
      hit('drop-constraint', `changes ${fkText(was)} of ${t} to ${fkActions(fk)}`);
    }
  }
  for (const [link, fk] of oldFks) {
    if (!newFks.has(link) && fk.columns.every((c) => newCols.has(keyOf(rename(c)))))
      hit('drop-constraint', `drops ${fkText(fk)} from ${t}`);
  }

  const oldChecks = new Set(old.checks.map((c) => c.expr));
  const newChecks = new Set(next.checks.map((c) => c.expr));
  for (const c of next.checks) {
    if (oldChecks.has(c.expr)) continue;
    if ([...c.mentions].some((m) => oldCols.has(m) || existing(m)))
      hit('add-check', `adds ${c.name ? `constraint ${c.name} ` : ''}${c.text} to ${t}`);
  }
  for (const c of old.checks) {
    if (!newChecks.has(c.expr))
      hit('drop-constraint', `drops ${c.name ? `constraint ${c.name} ` : ''}${c.text} from ${t}`);
  }
  return hits;
}

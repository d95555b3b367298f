import type { Scratch } from './scratch.js';
import { keyOf, type IndexInfo, type ObjectInfo, type SchemaRow, type TableInfo } from './schema.js';
import { normalized, tokenize } from './tokens.js';

/**
 * One physical table of the scratch database, followed through renames. `holds` names the table of
 * the previous release whose rows it carries: its own name for a table that release knew, the
 * original's name for the copy a rebuild fills, null for a table created since (no old rows).
 */
export interface PTable {
  readonly id: number;
  readonly schema: SchemaRow['schema'];
  name: string;
  info: TableInfo;
  holds: string | null;
  /** For a table filled by INSERT ... SELECT: which source column each of its columns came from. */
  copiedFrom?: Map<string, string>;
  /** Columns filled from another column of the same table (`UPDATE t SET c2 = c`), lower-cased target to source. */
  columnCopies?: Map<string, string>;
  /** Columns ADD COLUMN created since the previous release (lower case): they hold no old data. */
  addedColumns?: Set<string>;
  dropped: boolean;
}

/** A table the statement dropped, with what went with it. */
export interface DroppedTable {
  table: PTable;
  info: TableInfo;
  holds: string | null;
  indexes: IndexInfo[];
  triggers: ObjectInfo[];
}

/** What one statement did to the schema, as the engine reports it. */
export interface Effect {
  createdTables: PTable[];
  droppedTables: DroppedTable[];
  renamedTables: { table: PTable; from: string; to: string }[];
  changedTables: { table: PTable; before: TableInfo; after: TableInfo }[];
  createdIndexes: { index: IndexInfo; table?: PTable; populated: boolean }[];
  droppedIndexes: { index: IndexInfo; table?: PTable }[];
  createdViews: ObjectInfo[];
  droppedViews: ObjectInfo[];
  createdTriggers: { trigger: ObjectInfo; table?: PTable }[];
  droppedTriggers: { trigger: ObjectInfo; table?: PTable }[];
}

/** The schema as the previous release knows it (main schema only). */
export interface Snapshot {
  readonly tableIds: ReadonlyMap<number, TableInfo>;
  readonly tables: ReadonlyMap<string, TableInfo>;
  readonly indexes: ReadonlyMap<string, IndexInfo>;
  readonly views: ReadonlyMap<string, ObjectInfo>;
  readonly triggers: ReadonlyMap<string, ObjectInfo>;
}

const rowKey = (r: Pick<SchemaRow, 'schema' | 'type' | 'name'>): string => `${r.schema}|${r.type}|${keyOf(r.name)}`;
const tableKey = (schema: string, name: string): string => `${schema}|${keyOf(name)}`;

function objectInfo(row: SchemaRow): ObjectInfo {
  const sql = row.sql ?? '';
  return { name: row.name, table: row.tblName, sql, key: normalized(tokenize(sql)) };
}

/** The scratch database's schema as the analyzer last read it, updated from one statement to the next. */
export class SchemaModel {
  #rows = new Map<string, SchemaRow>();
  #tables = new Map<string, PTable>();
  #indexes = new Map<string, IndexInfo>();
  #views = new Map<string, ObjectInfo>();
  #triggers = new Map<string, ObjectInfo>();
  #nextId = 1;
  #maxRowid = 0;

  constructor(private readonly scratch: Scratch) {}

  /** The table a statement means by `[schema.]name`: temp shadows main, as in SQLite. */
  table(name: string, schema?: string): PTable | undefined {
    const s = schema?.toLowerCase();
    if (s === 'main' || s === 'temp') return this.#tables.get(tableKey(s, name));
    if (s) return undefined;
    return this.#tables.get(tableKey('temp', name)) ?? this.#tables.get(tableKey('main', name));
  }

  /** Every live table of the main schema. */
  tables(): PTable[] {
    return [...this.#tables.values()].filter((t) => t.schema === 'main');
  }

  /** The CREATE INDEX indexes of a main-schema table. */
  indexesOf(table: string): IndexInfo[] {
    const key = keyOf(table);
    return [...this.#indexes.values()].filter((i) => keyOf(i.table) === key);
  }

  /** A main-schema view by name. */
  view(name: string): ObjectInfo | undefined {
    return this.#views.get(keyOf(name));
  }

  /** A main-schema trigger by name. */
  trigger(name: string): ObjectInfo | undefined {
    return this.#triggers.get(keyOf(name));
  }

  /** A main-schema CREATE INDEX index by name. */
  index(name: string): IndexInfo | undefined {
    return this.#indexes.get(keyOf(name));
  }

  /** The main schema as it stands, for the previous release's view of it. */
  snapshot(): Snapshot {
    const tableIds = new Map<number, TableInfo>();
    const tables = new Map<string, TableInfo>();
    for (const t of this.tables()) {
      tableIds.set(t.id, t.info);
      tables.set(keyOf(t.name), t.info);
    }
    return {
      tableIds,
      tables,
      indexes: new Map(this.#indexes),
      views: new Map(this.#views),
      triggers: new Map(this.#triggers),
    };
  }

  /**
   * What changed in the rows since the last read. CREATE only appends rows (with the next rowids)
   * and DROP only removes some, so those skip reading the whole schema back; anything else (ALTER
   * rewrites the text of every object that names the table) compares every row.
   */
  #delta(
    how: 'create' | 'drop' | 'full',
    main: boolean,
    temp: boolean,
  ): { gone: SchemaRow[]; added: SchemaRow[]; changed: SchemaRow[] } {
    const gone: SchemaRow[] = [];
    const added: SchemaRow[] = [];
    const changed: SchemaRow[] = [];
    const compare = (rows: SchemaRow[], schema: SchemaRow['schema']): void => {
      const next = new Map(rows.map((r) => [rowKey(r), r]));
      for (const [key, r] of this.#rows) if (r.schema === schema && !next.has(key)) gone.push(r);
      for (const [key, r] of next) {
        const old = this.#rows.get(key);
        if (!old) added.push(r);
        else if (old.sql !== r.sql || old.tblName !== r.tblName) changed.push(r);
      }
    };
    if (main && how === 'create') {
      for (const r of this.scratch.mainRows(this.#maxRowid)) (this.#rows.has(rowKey(r)) ? changed : added).push(r);
    } else if (main && how === 'drop') {
      const left = this.scratch.mainRowids();
      for (const r of this.#rows.values()) if (r.schema === 'main' && !left.has(r.rowid)) gone.push(r);
    } else if (main) {
      compare(this.scratch.mainRows(), 'main');
    }
    if (temp) compare(this.scratch.tempRows(), 'temp');
    for (const r of gone) this.#rows.delete(rowKey(r));
    for (const r of [...added, ...changed]) this.#rows.set(rowKey(r), r);
    if (main)
      this.#maxRowid = Math.max(
        0,
        ...[...added, ...changed].map((r) => r.rowid),
        how === 'create' ? this.#maxRowid : this.#maxMainRowid(),
      );
    return { gone, added, changed };
  }

  #maxMainRowid(): number {
    let max = 0;
    for (const r of this.#rows.values()) if (r.rowid > max) max = r.rowid;
    return max;
  }

  /** Reads back what the last statement changed in the engine's schema, given which schemas' versions moved. */
  refresh(how: 'create' | 'drop' | 'full', main: boolean, temp: boolean): Effect {
    const effect: Effect = {
      createdTables: [],
      droppedTables: [],
      renamedTables: [],
      changedTables: [],
      createdIndexes: [],
      droppedIndexes: [],
      createdViews: [],
      droppedViews: [],
      createdTriggers: [],
      droppedTriggers: [],
    };
    const { gone, added, changed } = this.#delta(how, main, temp);
    // Indexes and triggers that leave with a dropped table are read before they are forgotten.
    const goneIndexes = new Map(
      gone
        .filter((r) => r.type === 'index' && r.schema === 'main')
        .map((r) => [keyOf(r.name), this.#indexes.get(keyOf(r.name))]),
    );
    const goneTriggers = new Map(
      gone
        .filter((r) => r.type === 'trigger' && r.schema === 'main')
        .map((r) => [keyOf(r.name), this.#triggers.get(keyOf(r.name))]),
    );

    // Tables first: renames keep the root page (virtual tables have none; a lone pair is a rename).
    const goneTables = gone.filter((r) => r.type === 'table');
    const addedTables = added.filter((r) => r.type === 'table');
    for (const row of addedTables) {
      const from =
        goneTables.find((g) => g.schema === row.schema && g.rootpage === row.rootpage && row.rootpage !== 0) ??
        (row.rootpage === 0 && goneTables.length === 1 && addedTables.length === 1 ? goneTables[0] : undefined);
      if (from) {
        goneTables.splice(goneTables.indexOf(from), 1);
        const table = this.#tables.get(tableKey(from.schema, from.name))!;
        this.#tables.delete(tableKey(from.schema, from.name));
        table.name = row.name;
        table.info = this.scratch.table(row);
        this.#tables.set(tableKey(row.schema, row.name), table);
        effect.renamedTables.push({ table, from: from.name, to: row.name });
      } else {
        const table: PTable = {
          id: this.#nextId++,
          schema: row.schema,
          name: row.name,
          info: this.scratch.table(row),
          holds: null,
          dropped: false,
        };
        this.#tables.set(tableKey(row.schema, row.name), table);
        effect.createdTables.push(table);
      }
    }
    for (const row of goneTables) {
      const key = tableKey(row.schema, row.name);
      const table = this.#tables.get(key);
      if (!table) continue;
      this.#tables.delete(key);
      table.dropped = true;
      const indexes =
        row.schema === 'main'
          ? [...goneIndexes.values()].filter(
              (i): i is IndexInfo => i !== undefined && keyOf(i.table) === keyOf(row.name),
            )
          : [];
      const triggers =
        row.schema === 'main'
          ? [...goneTriggers.values()].filter(
              (t): t is ObjectInfo => t !== undefined && keyOf(t.table) === keyOf(row.name),
            )
          : [];
      effect.droppedTables.push({ table, info: table.info, holds: table.holds, indexes, triggers });
    }
    for (const row of changed.filter((r) => r.type === 'table')) {
      const table = this.#tables.get(tableKey(row.schema, row.name));
      if (!table) continue;
      const before = table.info;
      table.info = this.scratch.table(row);
      effect.changedTables.push({ table, before, after: table.info });
    }

    // Indexes, views and triggers of the main schema; those that went with a dropped table are
    // reported with it, and rewrites caused by a rename are not changes of their own.
    const droppedWithTable = new Set(effect.droppedTables.map((d) => keyOf(d.info.name)));
    for (const row of gone.filter((r) => r.schema === 'main')) {
      const key = keyOf(row.name);
      if (row.type === 'index') {
        const index = this.#indexes.get(key);
        this.#indexes.delete(key);
        if (index && !droppedWithTable.has(keyOf(index.table)))
          effect.droppedIndexes.push({ index, table: this.table(index.table, 'main') });
      } else if (row.type === 'view') {
        const view = this.#views.get(key);
        this.#views.delete(key);
        if (view) effect.droppedViews.push(view);
      } else if (row.type === 'trigger') {
        const trigger = this.#triggers.get(key);
        this.#triggers.delete(key);
        if (trigger && !droppedWithTable.has(keyOf(trigger.table)))
          effect.droppedTriggers.push({ trigger, table: this.table(trigger.table, 'main') });
      }
    }
    for (const row of [...added, ...changed].filter((r) => r.schema === 'main')) {
      const key = keyOf(row.name);
      const isNew = !changed.includes(row);
      if (row.type === 'index' && row.sql) {
        const index = this.scratch.index(row);
        this.#indexes.set(key, index);
        if (isNew) {
          const table = this.table(index.table, 'main');
          effect.createdIndexes.push({ index, table, populated: table?.holds != null });
        }
      } else if (row.type === 'view') {
        const view = objectInfo(row);
        this.#views.set(key, view);
        if (isNew) effect.createdViews.push(view);
      } else if (row.type === 'trigger') {
        const trigger = objectInfo(row);
        this.#triggers.set(key, trigger);
        if (isNew) effect.createdTriggers.push({ trigger, table: this.table(trigger.table, 'main') });
      }
    }
    return effect;
  }
}

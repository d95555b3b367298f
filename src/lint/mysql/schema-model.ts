import type { ColumnSpec, IndexSpec } from './actions.js';

/** A table as the migrations so far have defined it. */
export interface TableState {
  /** Columns by lower-cased name; a column whose definition is unknown has no spec. */
  readonly columns: Map<string, { name: string; spec?: ColumnSpec }>;
  /** Lower-cased names of the primary key's columns. */
  primaryKey: string[];
  /** Indexes by lower-cased name. */
  readonly indexes: Map<string, IndexSpec>;
  /** False when some columns may be missing (CREATE TABLE ... AS SELECT, LIKE an unknown table, unread elements). */
  complete: boolean;
}

/** Lower-cases an identifier: MySQL compares column names, and in practice table names, without case. */
export const key = (name: string): string => name.toLowerCase();

/**
 * A light model of the schema built from every statement read so far, in version order: enough to
 * tell a widening from a retype, whether a column had a default, or whether a routine existed.
 */
export class SchemaModel {
  readonly tables = new Map<string, TableState>();
  readonly views = new Set<string>();
  /** `procedure:name` and `function:name`. */
  readonly routines = new Set<string>();
  readonly triggers = new Set<string>();
  readonly events = new Set<string>();

  /** The table's state, if the history defined it. */
  table(name: string): TableState | undefined {
    return this.tables.get(key(name));
  }

  /** A column of a known table. */
  column(table: string, column: string): { name: string; spec?: ColumnSpec } | undefined {
    return this.table(table)?.columns.get(key(column));
  }

  /** Records a table; undefined columns mean the column list is unknown. */
  createTable(
    name: string,
    columns: readonly ColumnSpec[] | undefined,
    indexes: readonly { name?: string; index: IndexSpec }[],
  ): void {
    const state: TableState = {
      columns: new Map(),
      primaryKey: [],
      indexes: new Map(),
      complete: columns !== undefined,
    };
    for (const c of columns ?? []) state.columns.set(key(c.name), { name: c.name, spec: c });
    for (const i of indexes) this.addIndex(state, i.name, i.index);
    this.tables.set(key(name), state);
  }

  /** CREATE TABLE name LIKE from. */
  copyTable(name: string, from: string): void {
    const source = this.table(from);
    if (!source) return this.createTable(name, undefined, []);
    this.tables.set(key(name), {
      columns: new Map([...source.columns].map(([k, v]) => [k, { ...v }])),
      primaryKey: [...source.primaryKey],
      indexes: new Map(source.indexes),
      complete: source.complete,
    });
  }

  /** Adds an index to a table's state; a primary key also makes its columns NOT NULL. */
  addIndex(state: TableState, name: string | undefined, index: IndexSpec): void {
    if (index.primary) state.primaryKey = index.columns.map(key);
    state.indexes.set(key(name ?? (index.primary ? 'PRIMARY' : (index.columns[0] ?? ''))), index);
  }

  /** Forgets a dropped table. */
  dropTable(name: string): void {
    this.tables.delete(key(name));
  }

  /** Follows RENAME TABLE, which also renames views. */
  renameTable(from: string, to: string): void {
    const state = this.tables.get(key(from));
    if (state) {
      this.tables.delete(key(from));
      this.tables.set(key(to), state);
    }
    if (this.views.delete(key(from))) this.views.add(key(to));
  }

  /** The table's state, created as an incomplete one when the model has never seen it. */
  ensureTable(name: string): TableState {
    let state = this.table(name);
    if (!state) {
      state = { columns: new Map(), primaryKey: [], indexes: new Map(), complete: false };
      this.tables.set(key(name), state);
    }
    return state;
  }
}

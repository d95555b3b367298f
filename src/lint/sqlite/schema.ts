import type { CheckClause } from './table-text.js';

/** One row of `sqlite_schema` (or `sqlite_temp_schema`, with `schema` = 'temp'). */
export interface SchemaRow {
  readonly schema: 'main' | 'temp';
  readonly type: 'table' | 'index' | 'view' | 'trigger';
  readonly name: string;
  readonly tblName: string;
  readonly rootpage: number;
  readonly sql: string | null;
  /** The row's rowid in sqlite_schema (main schema only; 0 for temp). */
  readonly rowid: number;
}

/** A column as `PRAGMA table_xinfo` describes it. */
export interface ColumnInfo {
  readonly name: string;
  /** The declared type, as written. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default expression as written, or null. */
  readonly dflt: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  readonly pk: number;
  /** 0 normal, 1 hidden (virtual tables), 2 virtual generated, 3 stored generated. */
  readonly hidden: number;
}

/** A foreign key as `PRAGMA foreign_key_list` describes it, with its columns gathered. */
export interface ForeignKey {
  readonly columns: readonly string[];
  readonly table: string;
  /** Referenced columns; empty when the key names the parent's primary key implicitly. */
  readonly to: readonly string[];
  readonly onUpdate: string;
  readonly onDelete: string;
}

/** A UNIQUE or PRIMARY KEY constraint of the table definition (an automatic index). */
export interface UniqueKey {
  readonly columns: readonly string[];
  readonly origin: 'u' | 'pk';
}

/** Everything the classifier compares about one table. */
export interface TableInfo {
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly ColumnInfo[];
  readonly fks: readonly ForeignKey[];
  readonly uniques: readonly UniqueKey[];
  readonly checks: readonly CheckClause[];
  readonly virtual: boolean;
}

/** An index created with CREATE INDEX (automatic indexes belong to their table's constraints). */
export interface IndexInfo {
  readonly name: string;
  readonly table: string;
  readonly sql: string;
  readonly unique: boolean;
  /** Key columns; null for an expression. */
  readonly columns: readonly (string | null)[];
  /** The definition without the index name, normalized: two indexes with the same key serve the same queries. */
  readonly key: string;
}

/** A view or trigger: its name, table and text. */
export interface ObjectInfo {
  readonly name: string;
  readonly table: string;
  readonly sql: string;
  /** The text normalized, to tell a restatement from a change. */
  readonly key: string;
}

/** Lower-cased key of a name; SQLite compares names case-insensitively (for ASCII). */
export const keyOf = (name: string): string => name.toLowerCase();

/** The primary key columns of a table, in key order. */
export function primaryKey(table: TableInfo): string[] {
  return table.columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

/** A comparable spelling of a column list. */
export const columnsKey = (columns: readonly (string | null)[]): string =>
  columns.map((c) => (c ?? '<expr>').toLowerCase()).join(',');

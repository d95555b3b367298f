import type { Node } from 'libpg-query';
import type { ColumnType } from './column-types.js';

/** What the analyzer remembers about a column from earlier statements. */
export interface ColumnState {
  type?: ColumnType;
  /** Structural key of the default expression; undefined when the column has none. */
  defaultKey?: string;
  notNull: boolean;
  /** 'a' GENERATED ALWAYS, 'd' BY DEFAULT. */
  identity?: string;
}

/** A table, view, materialized view or foreign table. */
export interface RelationState {
  kind: 'table' | 'view' | 'matview' | 'sequence';
  columns: Map<string, ColumnState>;
}

/** An index, by its model key. */
export interface IndexState {
  table: string;
  unique: boolean;
  columns: string[];
}

/** A table constraint, keyed `table.name`. */
export interface ConstraintState {
  type: string;
  valid: boolean;
  columns: string[];
  /** The column a `CHECK (col IS NOT NULL)` proves non-null, once validated. */
  notNullOf?: string;
}

/** SQL run when a routine is called, read from its body when it was created. */
export interface RoutineBody {
  /** Static statements, parsed, in order. */
  statements: Node[];
  /** Why the body cannot be read completely: dynamic EXECUTE, another language, a parse error. */
  opaque?: string;
}

/**
 * A light model of the schema built from every statement read so far: enough to tell a widening
 * from a narrowing, a first default from a changed one, a new function from a replaced one.
 */
export class SchemaModel {
  readonly relations = new Map<string, RelationState>();
  readonly indexes = new Map<string, IndexState>();
  readonly constraints = new Map<string, ConstraintState>();
  /** Enum labels in order, by type key. */
  readonly enums = new Map<string, string[]>();
  /** Composite, range and domain types, by key. */
  readonly types = new Set<string>();
  /** Routine signatures (`name(argtypes)`). */
  readonly routines = new Set<string>();
  /** Routine bodies by name (the last one created wins, as overloads are rare in migrations). */
  readonly bodies = new Map<string, RoutineBody>();

  /** The column state, if the model knows the table and column. */
  column(table: string, column: string): ColumnState | undefined {
    return this.relations.get(table)?.columns.get(column);
  }

  /** Follows a table rename: its columns, constraints and indexes move with it. */
  renameRelation(from: string, to: string): void {
    const rel = this.relations.get(from);
    if (!rel) return;
    this.relations.delete(from);
    this.relations.set(to, rel);
    for (const index of this.indexes.values()) if (index.table === from) index.table = to;
    for (const [key, c] of [...this.constraints]) {
      if (key.startsWith(`${from}.`)) {
        this.constraints.delete(key);
        this.constraints.set(`${to}.${key.slice(from.length + 1)}`, c);
      }
    }
  }

  /** Forgets a dropped table and what hangs on it. */
  dropRelation(key: string): void {
    // Nothing hangs off a relation the model never saw; CREATE TABLE calls this for every new table.
    if (!this.relations.delete(key)) return;
    for (const [name, index] of [...this.indexes]) if (index.table === key) this.indexes.delete(name);
    for (const name of [...this.constraints.keys()]) if (name.startsWith(`${key}.`)) this.constraints.delete(name);
  }
}

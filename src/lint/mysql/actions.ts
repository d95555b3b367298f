/**
 * What one MySQL statement does, in a form both readers produce: the node-sql-parser AST and the
 * keyword classifier both turn a statement into these actions, and the rules only look at these.
 */

/** A column type as stated, normalised for comparison (synonyms folded, display widths kept apart). */
export interface TypeSpec {
  /** Upper-cased base name with synonyms folded: INTEGER is INT, BOOL is TINYINT, NUMERIC is DECIMAL. */
  readonly name: string;
  /** Length, precision and scale, as written. */
  readonly args: readonly number[];
  /** ENUM and SET values, in order. */
  readonly values?: readonly string[];
  readonly unsigned?: boolean;
  readonly zerofill?: boolean;
  /** The BINARY attribute of a character type (binary collation of its character set). */
  readonly binary?: boolean;
  readonly charset?: string;
  readonly collate?: string;
}

/** A column default, with a canonical text so that two spellings of one value compare equal. */
export interface DefaultSpec {
  /** literal: constant; now: CURRENT_TIMESTAMP and synonyms; expr: `DEFAULT (expr)` or a function call. */
  readonly kind: 'literal' | 'null' | 'now' | 'expr';
  readonly canonical: string;
}

/** One column definition as a statement states it. */
export interface ColumnSpec {
  readonly name: string;
  /** Undefined when the reader could not read the type. */
  readonly type?: TypeSpec;
  /** true for an explicit NULL, false for NOT NULL, undefined when unstated. */
  readonly nullable?: boolean;
  readonly default?: DefaultSpec;
  readonly onUpdate?: string;
  readonly autoIncrement?: boolean;
  readonly generated?: 'stored' | 'virtual';
  readonly primaryKey?: boolean;
  readonly unique?: boolean;
  readonly check?: boolean;
  readonly invisible?: boolean;
  /** The reader met attributes it does not know, so the definition is not compared on details. */
  readonly uncertain?: boolean;
}

/** FIRST or AFTER col on ADD / MODIFY / CHANGE. */
export type Position = { readonly first: true } | { readonly after: string };

/** One clause of an ALTER TABLE statement. */
export type Clause = { readonly at?: number } & (
  | {
      readonly kind: 'add-column';
      readonly column: ColumnSpec;
      readonly position?: Position;
      readonly ifNotExists?: boolean;
    }
  | { readonly kind: 'drop-column'; readonly name: string; readonly ifExists?: boolean }
  | {
      readonly kind: 'modify-column';
      readonly name: string;
      readonly column: ColumnSpec;
      readonly position?: Position;
      readonly change: boolean;
    }
  | { readonly kind: 'rename-column'; readonly from: string; readonly to: string }
  | { readonly kind: 'set-default'; readonly name: string; readonly default: DefaultSpec }
  | { readonly kind: 'drop-default'; readonly name: string }
  | { readonly kind: 'visibility'; readonly name: string; readonly invisible: boolean }
  | { readonly kind: 'add-index'; readonly name?: string; readonly index: IndexSpec }
  | {
      readonly kind: 'add-foreign-key';
      readonly name?: string;
      readonly columns: readonly string[];
      readonly references?: string;
    }
  | { readonly kind: 'add-check'; readonly name?: string; readonly enforced: boolean }
  | { readonly kind: 'alter-check'; readonly name: string; readonly enforced: boolean }
  | {
      readonly kind: 'drop-constraint';
      readonly what: 'foreign key' | 'check' | 'constraint' | 'primary key';
      readonly name?: string;
      readonly ifExists?: boolean;
    }
  | { readonly kind: 'drop-index'; readonly name: string; readonly ifExists?: boolean }
  | { readonly kind: 'rename-index'; readonly from: string; readonly to: string }
  | { readonly kind: 'index-visibility'; readonly name: string; readonly invisible: boolean }
  | { readonly kind: 'rename-table'; readonly to: string }
  | { readonly kind: 'rebuild'; readonly what: string }
  | { readonly kind: 'charset'; readonly convert: boolean; readonly what: string }
  | { readonly kind: 'auto-increment'; readonly value: string }
  | { readonly kind: 'algorithm'; readonly value: string }
  | { readonly kind: 'lock'; readonly value: string }
  | { readonly kind: 'drop-partition'; readonly what: string }
  | { readonly kind: 'neutral'; readonly what: string }
  | { readonly kind: 'unknown'; readonly text: string }
);

/** A clause without its position, as the readers build it before placing it in the text. */
export type ClauseBody = Clause extends infer C ? (C extends unknown ? Omit<C, 'at'> : never) : never;

/** An index or key as CREATE INDEX, ADD INDEX or a CREATE TABLE element states it. */
export interface IndexSpec {
  readonly unique: boolean;
  readonly primary: boolean;
  /** FULLTEXT or SPATIAL. */
  readonly special?: 'FULLTEXT' | 'SPATIAL';
  readonly columns: readonly string[];
}

/** What a statement does. */
export type Action =
  | {
      readonly kind: 'create-table';
      readonly table: string;
      readonly ifNotExists: boolean;
      /** MariaDB's CREATE OR REPLACE TABLE, which drops an existing table first. */
      readonly orReplace?: boolean;
      readonly temporary: boolean;
      /** Undefined when the column list is unknown (AS SELECT, LIKE, unread elements). */
      readonly columns?: readonly ColumnSpec[];
      readonly indexes: readonly { readonly name?: string; readonly index: IndexSpec }[];
      readonly like?: string;
    }
  | { readonly kind: 'alter-table'; readonly table: string; readonly clauses: readonly Clause[] }
  | {
      readonly kind: 'drop-table';
      readonly tables: readonly string[];
      readonly ifExists: boolean;
      readonly temporary: boolean;
    }
  | { readonly kind: 'rename-table'; readonly pairs: readonly (readonly [string, string])[] }
  | {
      readonly kind: 'create-index';
      readonly table: string;
      readonly name: string;
      readonly index: IndexSpec;
      readonly algorithm?: string;
      readonly lock?: string;
    }
  | {
      readonly kind: 'drop-index';
      readonly table: string;
      readonly name: string;
      readonly algorithm?: string;
      readonly lock?: string;
    }
  | { readonly kind: 'create-view'; readonly name: string; readonly orReplace: boolean; readonly alter: boolean }
  | { readonly kind: 'drop-view'; readonly names: readonly string[]; readonly ifExists: boolean }
  | { readonly kind: 'rename-view'; readonly from: string; readonly to: string }
  | {
      readonly kind: 'create-routine';
      readonly routine: 'procedure' | 'function';
      readonly name: string;
      readonly orReplace: boolean;
      readonly ifNotExists: boolean;
    }
  | { readonly kind: 'alter-routine'; readonly routine: 'procedure' | 'function'; readonly name: string }
  | {
      readonly kind: 'drop-routine';
      readonly routine: 'procedure' | 'function';
      readonly name: string;
      readonly ifExists: boolean;
    }
  | { readonly kind: 'create-trigger'; readonly name: string; readonly table: string; readonly orReplace: boolean }
  | { readonly kind: 'drop-trigger'; readonly name: string; readonly ifExists: boolean }
  | {
      readonly kind: 'event';
      readonly verb: 'create' | 'alter' | 'drop';
      readonly name: string;
      readonly ifExists?: boolean;
    }
  | { readonly kind: 'call'; readonly name: string }
  | { readonly kind: 'create-schema'; readonly name: string }
  | { readonly kind: 'drop-schema'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'grant' }
  | { readonly kind: 'revoke'; readonly what: string }
  | { readonly kind: 'insert'; readonly table: string; readonly upsert: boolean; readonly replace: boolean }
  | {
      readonly kind: 'update';
      readonly tables: readonly string[];
      readonly columns: readonly { readonly table?: string; readonly column: string }[];
    }
  | { readonly kind: 'delete'; readonly tables: readonly string[] }
  | { readonly kind: 'truncate'; readonly tables: readonly string[] }
  | { readonly kind: 'optimize'; readonly tables: readonly string[] }
  | { readonly kind: 'sequence'; readonly verb: 'create' | 'alter' | 'drop'; readonly name: string }
  | { readonly kind: 'additive'; readonly what: string }
  | { readonly kind: 'neutral'; readonly what: string }
  | { readonly kind: 'unknown'; readonly why: string };

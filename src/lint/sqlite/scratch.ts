import type BetterSqlite3 from 'better-sqlite3';
import {
  columnsKey,
  type ColumnInfo,
  type ForeignKey,
  type IndexInfo,
  type SchemaRow,
  type TableInfo,
  type UniqueKey,
} from './schema.js';
import { tableChecks } from './table-text.js';
import { isWord, normalized, tokenize } from './tokens.js';

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[]>;

/** The better-sqlite3 constructor, loaded by the analyzer factory. */
export type DatabaseConstructor = typeof BetterSqlite3;

// better-sqlite3 is built with SQLITE_DQS=0, so "text" is never a string there, while the stock
// SQLite builds most applications use read it as a string when no such column exists.
const DQS_ERROR = /^no such column: ("(?:[^"]|"")*") - should this be a string literal in single-quotes\?$/;
const DQS_RETRIES = 32;

interface XInfoRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface FkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}
interface IndexListRow {
  name: string;
  origin: string;
}
interface IndexInfoRow {
  name: string | null;
  key: number;
}
interface RawRow {
  rowid: number;
  type: SchemaRow['type'];
  name: string;
  tbl_name: string;
  rootpage: number;
  sql: string | null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The definition of an index without its name: what the key covers, for comparing two indexes. */
function indexKey(sql: string): string {
  // ASC is the default order: `(a ASC)` and `(a)` are the same key.
  const tokens = tokenize(sql).filter((t) => !isWord(t, 'ASC'));
  const on = tokens.findIndex((t) => isWord(t, 'ON'));
  const open = tokens.findIndex((t, i) => i > on && t.text === '(');
  const unique = isWord(tokens[1], 'UNIQUE') ? 'unique ' : '';
  return open === -1 ? normalized(tokens) : unique + normalized(tokens, open);
}

function toRows(raw: RawRow[], schema: SchemaRow['schema']): SchemaRow[] {
  return raw
    .filter((r) => !r.name.startsWith('sqlite_'))
    .map((r) => ({
      schema,
      type: r.type,
      name: r.name,
      tblName: r.tbl_name,
      rootpage: r.rootpage,
      sql: r.sql,
      rowid: r.rowid,
    }));
}

/**
 * An in-memory SQLite database that replays the migrations: the real engine decides what each
 * statement does to the schema, and the analyzer reads the result back.
 */
export class Scratch {
  readonly #db: Db;
  readonly #schemaRows: Stmt;
  readonly #schemaRowsAfter: Stmt;
  readonly #rowids: Stmt;
  readonly #tempRows: Stmt;
  readonly #xinfo: Stmt;
  readonly #fks: Stmt;
  readonly #indexList: Stmt;
  readonly #indexInfo: Stmt;
  readonly #indexXinfo: Stmt;

  constructor(Database: DatabaseConstructor) {
    this.#db = new Database(':memory:');
    // The scratch holds no rows of the application, so data-dependent checks would only mislead.
    this.#db.pragma('foreign_keys = OFF');
    const columns =
      "SELECT rowid, type, name, tbl_name, rootpage, sql FROM main.sqlite_schema WHERE type IN ('table','index','view','trigger')";
    this.#schemaRows = this.#db.prepare(columns);
    this.#schemaRowsAfter = this.#db.prepare(`${columns} AND rowid > ?`);
    this.#rowids = this.#db.prepare('SELECT rowid FROM main.sqlite_schema').pluck();
    this.#tempRows = this.#db.prepare(
      "SELECT 0 AS rowid, type, name, tbl_name, rootpage, sql FROM temp.sqlite_schema WHERE type IN ('table','index','view','trigger')",
    );
    this.#xinfo = this.#db.prepare(
      'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?)',
    );
    this.#fks = this.#db.prepare(
      'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq',
    );
    this.#indexList = this.#db.prepare('SELECT name, origin FROM pragma_index_list(?, ?)');
    this.#indexInfo = this.#db.prepare('SELECT name, 1 AS key FROM pragma_index_info(?, ?) ORDER BY seqno');
    this.#indexXinfo = this.#db.prepare('SELECT name, key FROM pragma_index_xinfo(?, ?) ORDER BY seqno');
  }

  /** Whether the last run had to hand SQLite several statements at once (the schema change may be anything). */
  ranSeveral = false;

  /**
   * Runs one statement; returns SQLite's error message when it refuses it. With `undo`, the
   * statement's row changes are rolled back: the scratch keeps no rows, so later statements never
   * fail on data that only the replay holds.
   */
  run(text: string, undo = false): string | undefined {
    this.ranSeveral = false;
    let sql = text;
    for (let attempt = 0; ; attempt++) {
      try {
        if (undo) this.#undone(sql);
        else this.#execute(sql);
        return undefined;
      } catch (error) {
        const message = errorMessage(error);
        const dqs = DQS_ERROR.exec(message);
        const retried = dqs && attempt < DQS_RETRIES ? this.#asString(sql, dqs[1]) : undefined;
        if (retried === undefined) return message;
        sql = retried;
      }
    }
  }

  #undone(sql: string): void {
    this.#db.exec('SAVEPOINT molt_replay');
    try {
      this.#execute(sql);
    } finally {
      this.#db.exec('ROLLBACK TO molt_replay; RELEASE molt_replay');
    }
  }

  #execute(sql: string): void {
    let statement: Stmt;
    try {
      statement = this.#db.prepare(sql);
    } catch (error) {
      const message = errorMessage(error);
      if (/contains no statements/.test(message)) return;
      // A statement the splitter left whole (rare): let SQLite run the pieces.
      if (/more than one statement/.test(message)) {
        this.ranSeveral = true;
        return void this.#db.exec(sql);
      }
      throw error;
    }
    if (statement.reader) statement.all();
    else statement.run();
  }

  /** The statement with a double-quoted word SQLite refused as a column rewritten as a string literal. */
  #asString(sql: string, quoted: string): string | undefined {
    const hits = tokenize(sql).filter((t) => t.type === 'ident' && t.doubleQuoted && t.text === quoted);
    if (hits.length === 0) return undefined;
    let out = sql;
    for (const t of hits.reverse())
      out = `${out.slice(0, t.start)}'${t.value.replaceAll("'", "''")}'${out.slice(t.end)}`;
    return out;
  }

  /** The main and temp schema versions: they change whenever a schema does, and are cheap to read after every statement. */
  versions(): { main: number; temp: number } {
    return {
      main: this.#db.pragma('main.schema_version', { simple: true }) as number,
      temp: this.#db.pragma('temp.schema_version', { simple: true }) as number,
    };
  }

  /** Every table, index, view and trigger row of the main schema, or only those past a rowid (new rows get the next rowid). */
  mainRows(afterRowid?: number): SchemaRow[] {
    const raw = (afterRowid === undefined ? this.#schemaRows.all() : this.#schemaRowsAfter.all(afterRowid)) as RawRow[];
    return toRows(raw, 'main');
  }

  /** The rowids of every main schema row: what a DROP left, without reading the SQL text back. */
  mainRowids(): Set<number> {
    return new Set(this.#rowids.all() as number[]);
  }

  /** Every row of the temp schema. */
  tempRows(): SchemaRow[] {
    return toRows(this.#tempRows.all() as RawRow[], 'temp');
  }

  /** Reads a table's columns, keys and constraints from the engine. */
  table(row: SchemaRow): TableInfo {
    const columns: ColumnInfo[] = (this.#xinfo.all(row.name, row.schema) as XInfoRow[]).map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull === 1,
      dflt: c.dflt_value,
      pk: c.pk,
      hidden: c.hidden,
    }));
    const fks: ForeignKey[] = [];
    let last = -1;
    for (const f of this.#fks.all(row.name, row.schema) as FkRow[]) {
      if (f.id !== last) {
        fks.push({ columns: [], table: f.table, to: [], onUpdate: f.on_update, onDelete: f.on_delete });
        last = f.id;
      }
      const fk = fks[fks.length - 1];
      (fk.columns as string[]).push(f.from);
      if (f.to !== null) (fk.to as string[]).push(f.to);
    }
    const uniques: UniqueKey[] = [];
    for (const ix of this.#indexList.all(row.name, row.schema) as IndexListRow[]) {
      if (ix.origin !== 'u' && ix.origin !== 'pk') continue;
      const cols = (this.#indexInfo.all(ix.name, row.schema) as IndexInfoRow[]).map((c) => c.name ?? '<expr>');
      uniques.push({ columns: cols, origin: ix.origin });
    }
    const sql = row.sql ?? '';
    return {
      name: row.name,
      sql,
      columns,
      fks,
      uniques,
      checks: tableChecks(sql),
      virtual: /^\s*CREATE\s+VIRTUAL\b/i.test(sql),
    };
  }

  /** Reads an index created with CREATE INDEX. */
  index(row: SchemaRow): IndexInfo {
    const sql = row.sql ?? '';
    const columns = (this.#indexXinfo.all(row.name, row.schema) as IndexInfoRow[])
      .filter((c) => c.key === 1)
      .map((c) => c.name);
    return {
      name: row.name,
      table: row.tblName,
      sql,
      unique: /^\s*CREATE\s+UNIQUE\b/i.test(sql),
      columns,
      key: indexKey(sql) || columnsKey(columns),
    };
  }

  /**
   * Replaces a table's CREATE text, the way SQLite's own newer ALTER TABLE forms do; used for the
   * forms this engine predates. Safe here because the scratch tables hold no rows to re-check.
   */
  rewriteTable(name: string, sql: string): string | undefined {
    const db = this.#db;
    const old = db.prepare("SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(name) as
      | string
      | undefined;
    if (old === undefined) return `no such table: ${name}`;
    const write = (text: string): void => {
      db.unsafeMode(true);
      try {
        db.pragma('writable_schema = ON');
        db.prepare("UPDATE main.sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?").run(text, name);
        const version = db.pragma('main.schema_version', { simple: true }) as number;
        db.pragma(`main.schema_version = ${version + 1}`);
      } finally {
        db.pragma('writable_schema = OFF');
        db.unsafeMode(false);
      }
    };
    try {
      write(sql);
      // Reading the schema back proves the new text parses; a bad rewrite must not poison what follows.
      this.#xinfo.all(name, 'main');
      return undefined;
    } catch (error) {
      try {
        write(old);
      } catch {
        // The old text was valid a moment ago; nothing more can be done if writing it back fails.
      }
      return errorMessage(error);
    }
  }

  /** Closes the in-memory database. */
  close(): void {
    this.#db.close();
  }
}

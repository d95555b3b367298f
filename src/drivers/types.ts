/** What a database can do; shared code reads these flags instead of checking the dialect. */
export interface Capabilities {
  /** DDL takes part in transactions, so a failed migration rolls back whole. */
  readonly transactionalDdl: boolean;
  /** The lock is a server-side lock held by a session (PostgreSQL advisory lock, MySQL GET_LOCK). */
  readonly sessionLock: boolean;
  /** The lock is the database's write lock, held by one open transaction for the whole run (SQLite). */
  readonly writeLockTransaction: boolean;
  /** Several hosts may reach the database, so a holder row is worth writing. */
  readonly holderRow: boolean;
  /**
   * Statements sent together as one text still commit one by one, so a statement and the row that
   * records it can share a round trip (MySQL). PostgreSQL would run such a text as one transaction.
   */
  readonly multiStatementAutocommit: boolean;
  /**
   * The database is a file a copy backs up cheaply, and no server keeps backups of its own (SQLite): the automatic
   * backup before migrating is on by default (`backupBeforeMigrate: "auto"`).
   */
  readonly cheapBackup: boolean;
}

/** SQL text that differs between databases, kept as data. */
export interface DialectSql {
  /** Display name, for messages. */
  readonly name: string;
  /** Databases every server has, to reach it when the target database does not exist yet (a restore creates it). */
  readonly maintenanceDatabases: readonly string[];
  /** The bind-parameter marker for parameter number `index` (1-based). */
  param(index: number): string;
  /** Column types molt's own tables use. */
  readonly types: { text: string; bigint: string; int: string; timestamp: string; key: string };
  /** The longest identifier the database keeps whole, in bytes (PostgreSQL cuts longer ones short); 0: no limit. */
  readonly maxIdentifierBytes: number;
  /** Schemas and table names that belong to the database itself, where molt must never create its tables. */
  readonly reserved: { readonly schemas: RegExp | null; readonly tables: RegExp | null };
  /** Quotes an identifier. */
  quote(identifier: string): string;
  /** A value as an SQL literal, for statements sent as text in one round trip. */
  literal(value: string | number | null): string;
  /** An ISO-8601 UTC timestamp as the value `types.timestamp` accepts, as a parameter or inside a literal. */
  timestamp(iso: string): string;
  /** An expression for the current wall-clock time, in the column type `types.timestamp`. */
  readonly now: string;
  /** An expression for the milliseconds elapsed since an ISO timestamp. */
  msSince(iso: string): string;
  /** The 0-based line, within the statement, that an error points at; 0 when the error does not say. */
  errorLine(error: unknown, statement: string): number;
  /** True when an error says the table queried does not exist. */
  isMissingTable(error: unknown): boolean;
  /** True when the server gave up a transaction to break a deadlock or a serialization conflict: running it again is safe. */
  isRetryable(error: unknown): boolean;
  /**
   * The error says the object a DDL statement creates is there already. Only asked where DDL commits by
   * itself (MySQL), when molt re-runs one of its own migrations that a crash interrupted; false elsewhere.
   */
  ddlAlreadyApplied(error: unknown): boolean;
  /**
   * Statements (by head) that run inside a transaction without ending it, so that one can commit together
   * with the history row recording it: every plain statement where DDL is transactional, only DML on MySQL.
   */
  readonly sharesTransaction: readonly RegExp[];
  /**
   * Where foreign keys go unchecked while the schema changes (SQLite runs migrations with them off, as its table-rebuild
   * procedure says): `any` answers a row when the database has a foreign key at all, `dangling` lists the rows whose
   * reference points at nothing (columns `table`, `parent`), checked before each migration commits. Null elsewhere.
   */
  readonly referenceCheck: { readonly any: string; readonly dangling: string } | null;
  /**
   * How to make the database a URL names, from a session on one of `maintenanceDatabases`: whether it exists, and the
   * statement that creates it. Null where connecting makes it (an SQLite file).
   */
  readonly createDatabase: {
    exists(name: string): { sql: string; params: unknown[] };
    create(name: string): string;
  } | null;
  /** A query listing the tables and views that migrations could have made (column `name`), system ones left out. */
  readonly listTables: string;
  /** A query whose single row has a truthy `present` column when the table exists. */
  tableExists(table: string): { sql: string; params: unknown[] };
  /**
   * What a migration may change for the rest of its session (PostgreSQL's search_path, MySQL's current database):
   * how to read it, the text that betrays a change, and how to put it back before the next migration runs.
   * `schema` reads where unqualified tables go, so molt's own tables can be named in full. Null: nothing to keep.
   */
  readonly sessionScope: {
    readonly schema: string;
    readonly read: string;
    readonly changedBy: RegExp;
    restore(value: string): string;
  } | null;
  /** The statement that sets a session setting (`sql_mode`, `search_path`, a pragma) for this session. */
  setting(name: string, value: string): string;
  /**
   * Statements that open and close a region other than a transaction in which molt must not write its
   * history, such as MySQL's LOCK TABLES ... UNLOCK TABLES; they run as a file's own transaction does.
   */
  readonly lockRegion: { readonly begin: readonly RegExp[]; readonly end: readonly RegExp[] };
  /**
   * Transactions: the statements of a file that open and close one (by head), and the keywords molt writes when it
   * wraps statements in one itself.
   */
  readonly transaction: {
    readonly opens: RegExp;
    readonly closes: RegExp;
    readonly begin: string;
    readonly commit: string;
  };
  /** What leaves a file's transaction or lock region after one of its statements failed. */
  readonly abortRegion: string;
  /** Statement prefixes that cannot run inside a transaction block. */
  readonly nonTransactional: readonly RegExp[];
  /** Statement prefixes whose body may hold semicolons inside BEGIN ... END blocks. */
  readonly blockBodies: readonly RegExp[];
  /** What the statement splitter must understand in this dialect's scripts. */
  readonly lexer: Lexer;
}

/** The lexical forms a dialect's migration scripts use, as the splitter reads them. */
export interface Lexer {
  /** `$tag$ ... $tag$` strings (PostgreSQL). */
  readonly dollarQuotes: boolean;
  /** Backslash escapes inside every '...' string (MySQL), not only E'...' ones. */
  readonly backslashEscapes: boolean;
  /** `identifier` in backticks. */
  readonly backtickIdentifiers: boolean;
  /** Block comments nest (PostgreSQL). */
  readonly nestedComments: boolean;
  /** The client command `DELIMITER x` changes the statement terminator (the mysql and mariadb clients). */
  readonly delimiterCommand?: boolean;
  /** `#` starts a comment to the end of the line (MySQL). */
  readonly hashComments?: boolean;
  /** `/*! ... *\/` is code the server runs, not a comment (MySQL). */
  readonly executableComments?: boolean;
}

/** One row as a plain object. */
export type Row = Record<string, unknown>;

/** A dedicated connection; molt never runs a migration on a pooled one. */
export interface Session {
  /** Runs one statement with optional parameters and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs SQL text that may hold several statements, without parameters. */
  exec(sql: string): Promise<void>;
  /** Opens a transaction (a savepoint when the session's lock is itself a transaction). */
  begin(): Promise<void>;
  /** Runs SQL text (several statements) all or nothing, in one round trip where the database allows. */
  execAtomically(sql: string): Promise<void>;
  /** Commits what `begin` opened. */
  commit(): Promise<void>;
  /** Rolls back what `begin` opened. */
  rollback(): Promise<void>;
  /** Tries once to take the migration lock; true when this session now holds it. */
  tryLock(key: string): Promise<boolean>;
  /** Releases the migration lock taken by `tryLock`. */
  unlock(key: string): Promise<void>;
  /** Processes that hold the database open, where the database can tell (SQLite, from /proc): to name a lock's holder. */
  openedBy?(): Promise<string[]>;
  /** True when some session (this one or another) holds the lock. */
  isLocked(key: string): Promise<boolean>;
  /** Server version string, for reports. */
  serverVersion(): Promise<string>;
  /** Applies per-statement timeouts for the migrations that follow. */
  setTimeouts(timeouts: StatementTimeouts): Promise<void>;
  /** Closes the connection; releases any lock it held. */
  close(): Promise<void>;
  /**
   * Whether this open session keeps the process alive (the default). A heartbeat's connection turns it off between
   * beats, so it never keeps a finished script alive, and on while a statement is on its way.
   */
  keepAlive?(on: boolean): void;
}

/** Per-statement limits migrations run under; separate from the migration-lock wait. */
export interface StatementTimeouts {
  /** How long one statement may wait for a table lock, in ms (0: no limit). */
  lockTimeoutMs: number;
  /** How long one statement may run, in ms (0: no limit). */
  statementTimeoutMs: number;
}

/** A database molt can migrate: the seam every driver fills. */
export interface Driver {
  readonly kind: 'sqlite' | 'postgres' | 'mysql';
  readonly capabilities: Capabilities;
  readonly sql: DialectSql;
  /** The URL with any password replaced, for messages. */
  readonly displayUrl: string;
  /**
   * Opens a dedicated session. `create: false` (read-only callers: status, verify, probes) never makes a database
   * that is not there, such as an SQLite file behind a mistyped path; it fails as a missing database instead.
   * `waitMs` caps how long a statement waits for another process's lock on the whole database (SQLite).
   */
  connect(options?: { create?: boolean; waitMs?: number }): Promise<Session>;
}

import type { Capabilities, DialectSql } from '../types.js';
import { TRANSACTION_CLOSES, TRANSACTION_OPENS } from '../transaction-words.js';

/** SQLite: transactional DDL; the lock is the database write lock held for the whole run. */
export const sqliteCapabilities: Capabilities = {
  transactionalDdl: true,
  sessionLock: false,
  writeLockTransaction: true,
  holderRow: false,
  multiStatementAutocommit: false,
  cheapBackup: true,
};

/** SQLite's SQL as data. */
export const sqliteSql: DialectSql = {
  name: 'SQLite',
  // A file that does not exist yet (a restore makes it): the library's version answers from memory.
  maintenanceDatabases: [':memory:'],
  param: () => '?',
  types: { text: 'TEXT', bigint: 'INTEGER', int: 'INTEGER', timestamp: 'TEXT', key: 'TEXT' },
  maxIdentifierBytes: 0,
  reserved: { schemas: null, tables: /^sqlite_/i },
  quote: (identifier) => `"${identifier.replaceAll('"', '""')}"`,
  literal: (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`),
  timestamp: (iso) => iso,
  now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  msSince: (iso) => `CAST(round((julianday('now') - julianday('${iso}')) * 86400000) AS INTEGER)`,
  errorLine: () => 0,
  isMissingTable: (error) => /^no such table/.test((error as { message?: string }).message ?? ''),
  // One writer at a time: no deadlock to break; the driver waits for the lock itself.
  isRetryable: () => false,
  ddlAlreadyApplied: () => false,
  sharesTransaction: [/^/],
  createDatabase: null,
  referenceCheck: {
    any: "SELECT 1 AS x FROM sqlite_master m, pragma_foreign_key_list(m.name) WHERE m.type = 'table' LIMIT 1",
    dangling: 'SELECT "table", parent, count(*) AS n FROM pragma_foreign_key_check GROUP BY 1, 2 ORDER BY 1, 2',
  },
  listTables:
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1",
  tableExists: (table) => ({
    sql: "SELECT count(*) AS present FROM sqlite_master WHERE type = 'table' AND name = ?",
    params: [table],
  }),
  setting: (name, value) => `PRAGMA ${name} = '${value.replaceAll("'", "''")}'`,
  sessionScope: null,
  lockRegion: { begin: [], end: [] },
  transaction: { opens: TRANSACTION_OPENS, closes: TRANSACTION_CLOSES, begin: 'BEGIN', commit: 'COMMIT' },
  abortRegion: 'ROLLBACK',
  nonTransactional: [],
  blockBodies: [/^CREATE (TEMP |TEMPORARY )?TRIGGER\b/],
  lexer: { dollarQuotes: false, backslashEscapes: false, backtickIdentifiers: true, nestedComments: false },
};

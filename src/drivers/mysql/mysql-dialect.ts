import type { Capabilities, DialectSql } from '../types.js';
import { TRANSACTION_CLOSES, TRANSACTION_OPENS } from '../transaction-words.js';

/** MySQL and MariaDB: every DDL statement commits on its own; the lock is a named `GET_LOCK`. */
export const mysqlCapabilities: Capabilities = {
  transactionalDdl: false,
  sessionLock: true,
  writeLockTransaction: false,
  holderRow: true,
  multiStatementAutocommit: true,
  cheapBackup: false,
};

/** DATETIME takes neither the `T` nor the `Z` of an ISO string; the session runs in UTC. */
const datetime = (iso: string): string => iso.replace('T', ' ').replace(/Z$/, '');

// Hex keeps a literal exact whatever sql_mode says about backslashes (NO_BACKSLASH_ESCAPES).
const stringLiteral = (v: string): string =>
  v.includes('\\') ? `_utf8mb4 X'${Buffer.from(v, 'utf8').toString('hex')}'` : `'${v.replaceAll("'", "''")}'`;

/** MySQL's and MariaDB's SQL as data. */
export const mysqlSql: DialectSql = {
  name: 'MySQL',
  maintenanceDatabases: ['information_schema'],
  param: () => '?',
  // 191 characters of utf8mb4 keep the two-column primary key inside InnoDB's index limit.
  types: { text: 'MEDIUMTEXT', bigint: 'BIGINT', int: 'INT', timestamp: 'DATETIME(3)', key: 'VARCHAR(191)' },
  maxIdentifierBytes: 64,
  reserved: { schemas: /^(mysql|information_schema|performance_schema|sys)$/i, tables: null },
  quote: (identifier) => `\`${identifier.replaceAll('`', '``')}\``,
  literal: (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : stringLiteral(v)),
  timestamp: datetime,
  now: 'UTC_TIMESTAMP(3)',
  msSince: (iso) => `TIMESTAMPDIFF(MICROSECOND, '${datetime(iso)}', UTC_TIMESTAMP(6)) DIV 1000`,
  // Syntax errors end in "at line N", counted from the statement's first line.
  errorLine: (error) => Math.max(0, Number(/ at line (\d+)$/.exec((error as Error).message ?? '')?.[1] ?? 1) - 1),
  isMissingTable: (error) => (error as { errno?: number }).errno === 1146,
  // ER_LOCK_DEADLOCK: InnoDB rolled the whole transaction back.
  isRetryable: (error) => (error as { errno?: number }).errno === 1213,
  // ER_TABLE_EXISTS_ERROR, ER_DUP_FIELDNAME, ER_DUP_KEYNAME
  ddlAlreadyApplied: (error) => [1050, 1060, 1061].includes((error as { errno?: number }).errno ?? 0),
  // Any other statement commits the open transaction by itself.
  sharesTransaction: [/^(INSERT|UPDATE|DELETE|REPLACE)\b/],
  referenceCheck: null,
  createDatabase: {
    exists: (name) => ({ sql: 'SELECT 1 AS x FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', params: [name] }),
    create: (name) => `CREATE DATABASE \`${name.replaceAll('`', '``')}\` CHARACTER SET utf8mb4`,
  },
  listTables: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1',
  tableExists: (table) => {
    const [schema, name] = table.includes('.') ? table.split('.') : [null, table];
    return {
      sql: 'SELECT COUNT(*) AS present FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
      params: [schema, name],
    };
  },
  // Numeric variables refuse a quoted value; everything else takes a string.
  setting: (name, value) => `SET SESSION ${name} = ${/^-?\d+(\.\d+)?$/.test(value) ? value : stringLiteral(value)}`,
  sessionScope: {
    schema: 'SELECT DATABASE() AS s',
    read: 'SELECT DATABASE() AS s',
    changedBy: /\bUSE\b/i,
    restore: (value) => `USE \`${value.replaceAll('`', '``')}\``,
  },
  // Nothing is refused inside a transaction: DDL simply commits it, and molt runs statement by statement anyway.
  lockRegion: { begin: [/^LOCK TABLES?\b/], end: [/^UNLOCK TABLES?\b/] },
  transaction: { opens: TRANSACTION_OPENS, closes: TRANSACTION_CLOSES, begin: 'START TRANSACTION', commit: 'COMMIT' },
  abortRegion: 'ROLLBACK;\nUNLOCK TABLES',
  nonTransactional: [],
  blockBodies: [
    // An unquoted definer (`DEFINER=root@localhost`, `CURRENT_USER`) leaves up to three words in the head.
    /^CREATE( OR REPLACE)?( DEFINER( [A-Z0-9_$]+){0,3}?)?( AGGREGATE)? (PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/,
    /^BEGIN NOT ATOMIC\b/,
  ],
  lexer: {
    dollarQuotes: false,
    backslashEscapes: true,
    backtickIdentifiers: true,
    nestedComments: false,
    delimiterCommand: true,
    hashComments: true,
    executableComments: true,
  },
};

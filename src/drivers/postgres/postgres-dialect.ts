import type { Capabilities, DialectSql } from '../types.js';
import { TRANSACTION_CLOSES, TRANSACTION_OPENS } from '../transaction-words.js';

/** PostgreSQL: transactional DDL and session advisory locks. */
export const postgresCapabilities: Capabilities = {
  transactionalDdl: true,
  sessionLock: true,
  writeLockTransaction: false,
  holderRow: true,
  multiStatementAutocommit: false,
  cheapBackup: false,
};

// An E'' string reads the same whatever standard_conforming_strings says.
const postgresLiteral = (v: string): string => `E'${v.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** PostgreSQL's SQL as data. */
export const postgresSql: DialectSql = {
  name: 'PostgreSQL',
  maintenanceDatabases: ['postgres', 'template1'],
  param: (index) => `$${index}`,
  types: { text: 'text', bigint: 'bigint', int: 'integer', timestamp: 'timestamptz', key: 'text' },
  maxIdentifierBytes: 63,
  reserved: { schemas: /^(pg_.*|information_schema)$/i, tables: null },
  quote: (identifier) => `"${identifier.replaceAll('"', '""')}"`,
  literal: (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : postgresLiteral(v)),
  timestamp: (iso) => iso,
  now: 'clock_timestamp()',
  msSince: (iso) => `floor(extract(epoch from (clock_timestamp() - timestamptz '${iso}')) * 1000)::bigint`,
  errorLine: (error, statement) => {
    const position = Number((error as { position?: string }).position);
    return position > 0 ? (statement.slice(0, position - 1).match(/\n/g)?.length ?? 0) : 0;
  },
  isMissingTable: (error) => (error as { code?: string }).code === '42P01',
  // deadlock_detected, serialization_failure.
  isRetryable: (error) => ['40P01', '40001'].includes((error as { code?: string }).code ?? ''),
  ddlAlreadyApplied: () => false,
  // The non-transactional ones (CREATE INDEX CONCURRENTLY, ...) are told apart by `nonTransactional` first.
  sharesTransaction: [/^/],
  // Tables an extension owns (PostGIS's spatial_ref_sys) come with the extension, not from a migration.
  referenceCheck: null,
  createDatabase: {
    exists: (name) => ({ sql: 'SELECT 1 AS x FROM pg_database WHERE datname = $1', params: [name] }),
    create: (name) => `CREATE DATABASE "${name.replaceAll('"', '""')}"`,
  },
  listTables:
    "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' " +
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1",
  tableExists: (table) => ({
    sql: 'SELECT to_regclass($1) IS NOT NULL AS present',
    params: [
      table
        .split('.')
        .map((part) => `"${part.replaceAll('"', '""')}"`)
        .join('.'),
    ],
  }),
  // set_config takes the value as a string, so a list such as search_path keeps its meaning.
  setting: (name, value) => `SELECT set_config(${postgresLiteral(name)}, ${postgresLiteral(value)}, false)`,
  sessionScope: {
    schema: 'SELECT current_schema() AS s',
    read: "SELECT current_setting('search_path') AS s",
    changedBy: /search_path/i,
    restore: (value) => `SELECT set_config('search_path', ${postgresLiteral(value)}, false)`,
  },
  lockRegion: { begin: [], end: [] },
  transaction: { opens: TRANSACTION_OPENS, closes: TRANSACTION_CLOSES, begin: 'BEGIN', commit: 'COMMIT' },
  abortRegion: 'ROLLBACK',
  nonTransactional: [
    /^(CREATE( UNIQUE)?|DROP) INDEX CONCURRENTLY\b/,
    /^REINDEX\b.*\bCONCURRENTLY\b/,
    /^REINDEX (SYSTEM|DATABASE)\b/,
    /^VACUUM\b/,
    /^(CREATE|DROP) (DATABASE|TABLESPACE)\b/,
    /^ALTER SYSTEM\b/,
    /^ALTER TABLE\b.*\bDETACH PARTITION\b.*\b(CONCURRENTLY|FINALIZE)\b/,
  ],
  blockBodies: [/^CREATE (OR REPLACE )?(FUNCTION|PROCEDURE)\b/],
  lexer: { dollarQuotes: true, backslashEscapes: false, backtickIdentifiers: false, nestedComments: true },
};

import type { Capabilities, DialectSql } from '../types.js';

/** PostgreSQL: transactional DDL and session advisory locks. */
export const postgresCapabilities: Capabilities = {
  transactionalDdl: true,
  sessionLock: true,
  writeLockTransaction: false,
  holderRow: true,
};

/** PostgreSQL's SQL as data. */
export const postgresSql: DialectSql = {
  name: 'PostgreSQL',
  param: (index) => `$${index}`,
  types: { text: 'text', bigint: 'bigint', int: 'integer', timestamp: 'timestamptz', key: 'text' },
  quote: (identifier) => `"${identifier.replaceAll('"', '""')}"`,
  // An E'' string reads the same whatever standard_conforming_strings says.
  literal: (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `E'${v.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`),
  now: 'clock_timestamp()',
  msSince: (iso) => `floor(extract(epoch from (clock_timestamp() - timestamptz '${iso}')) * 1000)::bigint`,
  isMissingTable: (error) => (error as { code?: string }).code === '42P01',
  tableExists: (table) => ({
    sql: 'SELECT to_regclass($1) IS NOT NULL AS present',
    params: [table.split('.').map((part) => `"${part.replaceAll('"', '""')}"`).join('.')],
  }),
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

import type { DialectSql } from '../drivers/types.js';

/** The names of molt's own tables for one history. */
export interface TableNames {
  history: string;
  lock: string;
  meta: string;
}

interface InternalMigration {
  version: number;
  name: string;
  statements(t: TableNames, types: DialectSql['types']): string[];
}

/**
 * molt's own migration set. Each entry is additive (expand), so an older molt keeps working on
 * tables a newer one moved forward; never edit an entry, append a new one.
 */
export const INTERNAL_MIGRATIONS: readonly InternalMigration[] = [
  {
    version: 1,
    name: 'history_and_lock_holder',
    statements: (t, ty) => [
      `CREATE TABLE ${t.history} (
        version ${ty.key} NOT NULL,
        name ${ty.key} NOT NULL,
        phase ${ty.text} NOT NULL,
        checksum ${ty.text},
        raw_hash ${ty.text},
        status ${ty.text} NOT NULL,
        started_at ${ty.timestamp},
        finished_at ${ty.timestamp},
        duration_ms ${ty.bigint},
        statements_total ${ty.int},
        statements_applied ${ty.int},
        error ${ty.text},
        error_statement ${ty.int},
        error_line ${ty.int},
        app_version ${ty.text},
        molt_version ${ty.text},
        host ${ty.text},
        PRIMARY KEY (version, name)
      )`,
      `CREATE TABLE ${t.lock} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        host ${ty.text},
        pid ${ty.int},
        app_version ${ty.text},
        molt_version ${ty.text},
        since ${ty.timestamp}
      )`,
    ],
  },
  {
    version: 2,
    name: 'statement_hashes',
    // One hash per statement, so a resumed migration can prove its applied statements are unchanged.
    statements: (t, ty) => [`ALTER TABLE ${t.history} ADD COLUMN statement_hashes ${ty.text}`],
  },
];

/** The meta table that records molt's own migrations; created as is, never altered. */
export function metaTableDdl(t: TableNames, ty: DialectSql['types']): string {
  return `CREATE TABLE IF NOT EXISTS ${t.meta} (version ${ty.int} NOT NULL PRIMARY KEY, name ${ty.text} NOT NULL, applied_at ${ty.timestamp})`;
}

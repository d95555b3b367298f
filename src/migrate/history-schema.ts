import type { DialectSql } from '../drivers/types.js';

/** The names of molt's own tables (and their indexes) for one history. */
export interface TableNames {
  history: string;
  lock: string;
  meta: string;
  /** Background jobs and their worker leases (molt/leases). */
  jobs: string;
  /** The index claims read: due jobs of one kind. */
  jobsDue: string;
  /** The index the sweeper reads: running jobs by lease expiry. */
  jobsLease: string;
  /** Live instances: one row per running process of a release, with its heartbeat. */
  instances: string;
  /** Every release that ran against this database, with the migrations it knows: what rollback verdicts read. */
  releases: string;
  /** The upgrade journal: one row per `molt upgrade`, its steps and outcome. */
  upgrades: string;
}

/**
 * Every name derived from one history table name, each part passed through `quote` (identity by
 * default). Index names are never schema-qualified: an index lives in its table's schema.
 */
export function tableNames(table: string, quote: (identifier: string) => string = (part) => part): TableNames {
  const q = (name: string): string => name.split('.').map(quote).join('.');
  const base = table.slice(table.lastIndexOf('.') + 1);
  return {
    history: q(table),
    lock: q(`${table}_lock`),
    meta: q(`${table}_meta`),
    jobs: q(`${table}_jobs`),
    jobsDue: quote(`${base}_jobs_due`),
    jobsLease: quote(`${base}_jobs_lease`),
    instances: q(`${table}_instances`),
    releases: q(`${table}_releases`),
    upgrades: q(`${table}_upgrades`),
  };
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
  {
    version: 3,
    name: 'worker_lease_jobs',
    // Times are epoch milliseconds on the database's clock, so every host compares leases on one clock.
    // `token` is the unique mark of the last transition: a writer reads it back to tell whether its own
    // compare-and-set won, since the drivers do not report affected rows.
    statements: (t, ty) => [
      `CREATE TABLE ${t.jobs} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        kind ${ty.key} NOT NULL,
        state ${ty.key} NOT NULL,
        payload ${ty.text},
        dedupe_key ${ty.key},
        owner ${ty.text},
        epoch ${ty.bigint} NOT NULL,
        token ${ty.text},
        lease_until ${ty.bigint},
        run_after ${ty.bigint} NOT NULL,
        attempts ${ty.int} NOT NULL,
        crashes ${ty.int} NOT NULL,
        interruptions ${ty.int} NOT NULL,
        result ${ty.text},
        error ${ty.text},
        created_at ${ty.bigint} NOT NULL,
        updated_at ${ty.bigint} NOT NULL,
        UNIQUE (kind, dedupe_key)
      )`,
      `CREATE INDEX ${t.jobsDue} ON ${t.jobs} (kind, state, run_after)`,
      `CREATE INDEX ${t.jobsLease} ON ${t.jobs} (state, lease_until)`,
    ],
  },
  {
    version: 4,
    name: 'live_instances_and_releases',
    // Times are epoch milliseconds on the database's clock: staleness is judged on one clock for every host.
    // `knows_newest` and `knows_contracts` (a JSON array of ids) are the migration set a release knows: enough to
    // tell whether a contract migration would break it.
    statements: (t, ty) => [
      `CREATE TABLE ${t.instances} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        name ${ty.text},
        host ${ty.text},
        pid ${ty.int},
        app_version ${ty.text},
        app_commit ${ty.text},
        knows_newest ${ty.text},
        knows_contracts ${ty.text},
        state ${ty.text} NOT NULL,
        started_at ${ty.bigint} NOT NULL,
        heartbeat_at ${ty.bigint} NOT NULL,
        expires_at ${ty.bigint} NOT NULL
      )`,
      `CREATE TABLE ${t.releases} (
        app_version ${ty.key} NOT NULL PRIMARY KEY,
        app_commit ${ty.text},
        knows_newest ${ty.text},
        knows_contracts ${ty.text},
        first_seen ${ty.bigint} NOT NULL,
        last_seen ${ty.bigint} NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    name: 'upgrade_journal',
    // `active` is 1 while an upgrade runs or waits for --resume/--rollback and NULL once it ended: the unique
    // constraint lets one upgrade at a time hold it (every dialect allows many NULLs). Times are epoch ms on the
    // database's clock; `steps` and `report` are JSON.
    statements: (t, ty) => [
      `CREATE TABLE ${t.upgrades} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        active ${ty.int},
        state ${ty.key} NOT NULL,
        step ${ty.text},
        runtime ${ty.text} NOT NULL,
        from_version ${ty.text},
        to_version ${ty.text} NOT NULL,
        target ${ty.text} NOT NULL,
        previous ${ty.text},
        owner ${ty.text} NOT NULL,
        started_at ${ty.bigint} NOT NULL,
        updated_at ${ty.bigint} NOT NULL,
        ended_at ${ty.bigint},
        steps ${ty.text},
        error ${ty.text},
        report ${ty.text},
        UNIQUE (active)
      )`,
    ],
  },
];

/** The meta table that records molt's own migrations; created as is, never altered. */
export function metaTableDdl(t: TableNames, ty: DialectSql['types']): string {
  return `CREATE TABLE IF NOT EXISTS ${t.meta} (version ${ty.int} NOT NULL PRIMARY KEY, name ${ty.text} NOT NULL, applied_at ${ty.timestamp})`;
}

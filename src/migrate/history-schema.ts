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
  /** The fleet: enrolled agents with their hello, drift and upgrade state. */
  fleetAgents: string;
  /** The fleet's one state row: policy, rollout, artifact, the evaluator's tick lease, its secret. */
  fleetState: string;
  /** Every upgrade sent to an agent, with its outcome. */
  fleetDispatches: string;
  /** The append-only audit log. */
  fleetAudit: string;
  fleetDispatchesAgent: string;
  fleetAuditAt: string;
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
    fleetAgents: q(`${table}_fleet_agents`),
    fleetState: q(`${table}_fleet_state`),
    fleetDispatches: q(`${table}_fleet_dispatches`),
    fleetAudit: q(`${table}_fleet_audit`),
    fleetDispatchesAgent: quote(`${base}_fleet_dispatches_agent`),
    fleetAuditAt: quote(`${base}_fleet_audit_at`),
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
  {
    version: 6,
    name: 'fleet',
    // Times are epoch ms on the database's clock. `secret_hash` is the sha256 of an agent's credential, never the
    // credential. A dispatch's `slot` is `rollout:agent` while it counts, so one agent gets one dispatch per rollout
    // however many replicas evaluate (a manual dispatch has a slot of its own). The audit log is append-only: molt
    // never updates or deletes its rows.
    statements: (t, ty) => [
      `CREATE TABLE ${t.fleetAgents} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        secret_hash ${ty.text} NOT NULL,
        name ${ty.text},
        host ${ty.text},
        version ${ty.text},
        agent_commit ${ty.text},
        os ${ty.text},
        arch ${ty.text},
        group_name ${ty.text},
        protocol ${ty.int},
        update_source ${ty.text},
        pinned ${ty.int} NOT NULL,
        pin_reason ${ty.text},
        connected ${ty.int} NOT NULL,
        replica ${ty.text},
        state ${ty.text} NOT NULL,
        reason ${ty.text},
        detail ${ty.text},
        dispatch_id ${ty.text},
        enrolled_at ${ty.bigint} NOT NULL,
        last_seen ${ty.bigint},
        updated_at ${ty.bigint} NOT NULL
      )`,
      `CREATE TABLE ${t.fleetState} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        mode ${ty.text} NOT NULL,
        percent ${ty.int} NOT NULL,
        canaries ${ty.int} NOT NULL,
        halt_after ${ty.int},
        halted ${ty.int} NOT NULL,
        halt_reason ${ty.text},
        rollout_id ${ty.text},
        rollout_target ${ty.text},
        rollout_baseline ${ty.int},
        artifact ${ty.text},
        tick_owner ${ty.text},
        tick_until ${ty.bigint},
        last_tick ${ty.bigint},
        updated_at ${ty.bigint} NOT NULL,
        updated_by ${ty.text}
      )`,
      `CREATE TABLE ${t.fleetDispatches} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        slot ${ty.key},
        agent_id ${ty.key} NOT NULL,
        rollout_id ${ty.text},
        canary ${ty.int} NOT NULL,
        from_version ${ty.text},
        to_version ${ty.text} NOT NULL,
        artifact ${ty.text} NOT NULL,
        actor ${ty.text} NOT NULL,
        state ${ty.key} NOT NULL,
        reason ${ty.text},
        detail ${ty.text},
        replica ${ty.text},
        created_at ${ty.bigint} NOT NULL,
        delivered_at ${ty.bigint},
        ack_by ${ty.bigint} NOT NULL,
        confirm_by ${ty.bigint} NOT NULL,
        ended_at ${ty.bigint},
        UNIQUE (slot)
      )`,
      `CREATE INDEX ${t.fleetDispatchesAgent} ON ${t.fleetDispatches} (agent_id, state)`,
      `CREATE TABLE ${t.fleetAudit} (
        id ${ty.key} NOT NULL PRIMARY KEY,
        at ${ty.bigint} NOT NULL,
        action ${ty.text} NOT NULL,
        actor ${ty.text} NOT NULL,
        agent_id ${ty.text},
        detail ${ty.text} NOT NULL
      )`,
      `CREATE INDEX ${t.fleetAuditAt} ON ${t.fleetAudit} (at)`,
    ],
  },
];

/** The meta table that records molt's own migrations; created as is, never altered. */
export function metaTableDdl(t: TableNames, ty: DialectSql['types']): string {
  return `CREATE TABLE IF NOT EXISTS ${t.meta} (version ${ty.int} NOT NULL PRIMARY KEY, name ${ty.text} NOT NULL, applied_at ${ty.timestamp})`;
}

import type { LockHolder } from './history.js';
import type { LiveInstance } from './instances-table.js';
import type { HeldBack } from './pending.js';
import type { InstanceRef } from './waits.js';
import type { MigrationResult } from './runner.js';
import type { MigrationRef, PartialMigration, Problem } from './verdict.js';

/** The outcome of `migrate`. */
export interface MigrateReport {
  status: 'migrated' | 'up_to_date' | 'dry_run' | 'refused' | 'failed' | 'skipped' | 'interrupted';
  database: string;
  /** Newest applied version before the run; null on an empty database. */
  from: string | null;
  /** Newest applied version after the run. */
  to: string | null;
  /** One entry per migration this run applied, failed or (dry run) would apply. */
  migrations: MigrationResult[];
  problems: Problem[];
  warnings: string[];
  durationMs: number;
  /**
   * Pending migrations this run left alone on purpose: contract ones under `--phase expand`, later ones past `--to`,
   * and (`waiting`) a contract migration that live instances of an older release do not know, with what follows it.
   */
  heldBack?: HeldBack[];
  /** Migrations left for a later run when an interrupt (Ctrl-C) stopped this one between migrations. */
  remaining?: { version: string; name: string }[];
  /** The archive written before the first migration ran (automatic backup), when one was. */
  backup?: string | null;
}

/** An applied migration as `status` lists it, as Flyway's `info` and dbmate's `status` do. */
export interface AppliedMigration extends MigrationRef {
  /** `success`, or `baseline` for one adopted without running. */
  status: string;
  appliedAt: string | null;
  durationMs: number | null;
  appVersion: string | null;
  host: string | null;
}

/** The outcome of `status` and `verify`: the shape `status --json` prints. */
export interface StatusReport {
  /** `clean`: nothing pending, no problem; `pending`: migrations to apply; `drift`: a problem (see `problems`). */
  status: 'clean' | 'pending' | 'drift';
  database: string;
  /** Applied migrations in version order, each with when, how long, by which app version and on which host. */
  applied: AppliedMigration[];
  /** Pending migrations; a contract one that live instances of an older release do not know says whom it waits for. */
  pending: (MigrationRef & { waitsFor?: InstanceRef[] })[];
  unknown: MigrationRef[];
  /** Migrations an earlier attempt applied in part, with how far it got and why it stopped. */
  partial: PartialMigration[];
  problems: Problem[];
  warnings: string[];
  /** Newest applied version; null when nothing is applied. */
  current: string | null;
  /** Who holds the migration lock right now, if anyone. */
  lock: { held: boolean; holder: LockHolder | null };
  /** Registered instances, live and stale, oldest first. */
  instances: LiveInstance[];
}

import type { MoltErrorCode } from '../errors.js';
import type { Outcome } from '../outcome.js';

/** molt's documented exit codes; 0 is success, every other value names a cause. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  drift: 3,
  migrationFailed: 4,
  lockTimeout: 5,
  connect: 6,
  pending: 7,
  invalidFiles: 8,
  needsDecision: 9,
  lintFailed: 10,
  backupInvalid: 11,
  backupFailed: 12,
  /** A contract migration waits for live instances of a release that does not know it. */
  contractWaiting: 13,
  /** `plan`: the release is not rolling-safe (an untagged contract change, a problem). */
  notRollingSafe: 14,
  /** `rollback`: the version needs a restore, which was not run. */
  needsRestore: 15,
  /** `upgrade`: a step failed; the services are on the old release (or, said so, partly rolled back). */
  upgradeAborted: 16,
  /** `upgrade`: another upgrade of this database is in progress, or one was interrupted and waits for --resume or --rollback. */
  upgradeInProgress: 17,
  /** `run`, `upgrade`: the runtime cannot be reached or used (no supervisor on the control socket, no Docker). */
  runtimeUnavailable: 18,
  /** `agent`, `fleet`: the fleet refused (no or a wrong credential, an unknown agent, a malformed or unsupported message). */
  fleetRefused: 19,
  /** `agent install`: the artifact failed verification (size, sha256, signature); nothing was installed. */
  artifactRejected: 20,
  /** Ctrl-C (SIGINT), as shells report a process that SIGINT ended. */
  interrupted: 130,
} as const;

const BY_CODE: Record<MoltErrorCode, number> = {
  USAGE: EXIT.usage,
  INTERRUPTED: EXIT.interrupted,
  CONFIG_INVALID: EXIT.usage,
  URL_INVALID: EXIT.usage,
  DRIFT: EXIT.drift,
  PENDING: EXIT.pending,
  MIGRATION_FAILED: EXIT.migrationFailed,
  LOCK_TIMEOUT: EXIT.lockTimeout,
  CONNECT_FAILED: EXIT.connect,
  SERVER_UNSUPPORTED: EXIT.connect,
  MIGRATION_FILE_INVALID: EXIT.invalidFiles,
  MIGRATION_DUPLICATE: EXIT.invalidFiles,
  MIGRATION_DIR_MISSING: EXIT.invalidFiles,
  MIGRATION_MIXED_TRANSACTION: EXIT.invalidFiles,
  SUM_MISMATCH: EXIT.invalidFiles,
  BACKUP_INVALID: EXIT.backupInvalid,
  BACKUP_TOOL_MISSING: EXIT.backupFailed,
  BACKUP_FAILED: EXIT.backupFailed,
  RESTORE_FAILED: EXIT.backupFailed,
  // Library-only errors (leases, drain): a service sees them; the CLI would only on a bug.
  LEASE_LOST: EXIT.internal,
  JOB_NOT_FOUND: EXIT.internal,
  JOBS_TABLE_MISSING: EXIT.pending,
  DRAIN_DEADLINE: EXIT.internal,
  LIFECYCLE_STOPPED: EXIT.internal,
  RESTORE_REFUSED: EXIT.needsDecision,
  BASELINE_REFUSED: EXIT.needsDecision,
  DATABASE_NOT_EMPTY: EXIT.needsDecision,
  REPAIR_REFUSED: EXIT.needsDecision,
  CONTRACT_WAITING: EXIT.contractWaiting,
  NO_HISTORY: EXIT.pending,
  RUNTIME_UNAVAILABLE: EXIT.runtimeUnavailable,
  UPGRADE_IN_PROGRESS: EXIT.upgradeInProgress,
  UPGRADE_ABORTED: EXIT.upgradeAborted,
  ENVELOPE_REFUSED: EXIT.fleetRefused,
  FLEET_REFUSED: EXIT.fleetRefused,
  AGENT_UPGRADE_FAILED: EXIT.artifactRejected,
};

// Report statuses that end a run without an error yet must not exit 0; every other status without an error is 0.
const BY_STATUS: Readonly<Record<string, number>> = {
  /** `lint` found errors. */
  errors: EXIT.lintFailed,
  /** `repair` listed changes that nobody confirmed. */
  unconfirmed: EXIT.needsDecision,
  /** `plan`: rolling the release while the old one serves would break it. */
  not_rolling_safe: EXIT.notRollingSafe,
  /** `rollback`: the version needs a restore. */
  needs_restore: EXIT.needsRestore,
};

/** The exit code for an error code. */
export function exitCodeFor(code: MoltErrorCode): number {
  return BY_CODE[code] ?? EXIT.internal;
}

/** The one mapping from an outcome to the exit code: the error's code when there is one, else the report's status. */
export function exitCodeOf(outcome: Outcome<unknown>): number {
  if (outcome.error) return exitCodeFor(outcome.error.code);
  const status = (outcome.report as { status?: unknown } | null)?.status;
  return typeof status === 'string' && Object.hasOwn(BY_STATUS, status) ? BY_STATUS[status] : EXIT.ok;
}

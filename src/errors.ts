/** Stable error codes; callers branch on these, never on message text. */
export type MoltErrorCode =
  | 'CONFIG_INVALID'
  | 'URL_INVALID'
  | 'CONNECT_FAILED'
  | 'SERVER_UNSUPPORTED'
  | 'MIGRATION_FILE_INVALID'
  | 'MIGRATION_DUPLICATE'
  | 'MIGRATION_DIR_MISSING'
  | 'MIGRATION_MIXED_TRANSACTION'
  | 'MIGRATION_FAILED'
  | 'DRIFT'
  | 'PENDING'
  | 'LOCK_TIMEOUT'
  | 'BASELINE_REFUSED'
  | 'DATABASE_NOT_EMPTY'
  | 'REPAIR_REFUSED'
  | 'SUM_MISMATCH'
  | 'BACKUP_INVALID'
  | 'BACKUP_TOOL_MISSING'
  | 'BACKUP_FAILED'
  | 'RESTORE_REFUSED'
  | 'RESTORE_FAILED'
  | 'LEASE_LOST'
  | 'JOB_NOT_FOUND'
  | 'JOBS_TABLE_MISSING'
  | 'DRAIN_DEADLINE'
  | 'LIFECYCLE_STOPPED'
  | 'INTERRUPTED'
  | 'CONTRACT_WAITING'
  | 'NO_HISTORY'
  | 'RUNTIME_UNAVAILABLE'
  | 'UPGRADE_IN_PROGRESS'
  | 'UPGRADE_ABORTED'
  | 'ENVELOPE_REFUSED'
  | 'FLEET_REFUSED'
  | 'AGENT_UPGRADE_FAILED'
  | 'USAGE';

/** The one error class molt throws: a stable `code`, the cause kept, structured details. */
export class MoltError extends Error {
  readonly code: MoltErrorCode;
  readonly details: Record<string, unknown>;
  /** What the person should do next, when molt knows. */
  readonly hint?: string;

  constructor(
    code: MoltErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MoltError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** A plain object for `--json` output. */
  toJSON(): Record<string, unknown> {
    return { ...this.details, code: this.code, message: this.message, hint: this.hint };
  }
}

/** Best-effort message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

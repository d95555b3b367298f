// moltkit/migrate: the migration engine, what it decides and what it reads. What only molt's other areas use is in
// ./internal.ts; the runner, the history table's SQL and the lock stay inside this folder.
export { runMigrations, pending, type MigrateOptions } from './migrate.js';
export { pendingFrom, type Pending, type WorkItem, type HeldBack, type SelectOptions } from './pending.js';
export { planner, type ExecutionPlan, type ExecutionMode, type Step } from './execution-plan.js';
export { status, verify } from './status.js';
export { baseline, type BaselineReport } from './baseline.js';
export { repair, type RepairOptions, type RepairReport, type RepairAction } from './repair.js';
export { newMigration, type NewMigrationOptions } from './new-migration.js';
export { createDatabase, type CreateDatabaseReport } from './create-database.js';
export { loadMigrations, type MigrationBundle, type MigrationSource } from './set.js';
export {
  judge,
  type Problem,
  type ProblemCode,
  type Verdict,
  type MigrationRef,
  type PartialMigration,
} from './verdict.js';
export { judgeCompatibility, type Compatibility } from './compatibility.js';
export type { HistoryRow, LockHolder, RowStatus } from './history.js';
export { compareVersions, type Migration, type Phase } from './migration.js';
export { idOf, isApplied, newestVersion } from './vocabulary.js';
export type { AppliedMigration, MigrateReport, StatusReport } from './report.js';
export type { MigrationResult, MigrationFailure } from './runner.js';
export type { CommonOptions } from './context.js';
export type { LiveInstance, InstanceState, ReleaseRecord } from './instances-table.js';
export type { InstanceRef } from './waits.js';
export type { Knowledge } from './knowledge.js';
export { writeSum, checkSum, type SumCheck } from './sum.js';

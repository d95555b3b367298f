// moltkit/migrate: the migration engine and what a caller reads from it. Internals (the runner, the history table's
// SQL, the lock) stay inside this folder.
export { runMigrations, pending, migrateError, type MigrateOptions } from './migrate.js';
export { pendingFrom, type Pending, type WorkItem, type HeldBack, type SelectOptions } from './pending.js';
export { status, verify, verifyError } from './status.js';
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
export { planner, planExecution, executionMode, type ExecutionPlan, type ExecutionMode } from './execution-plan.js';
export { validateTableName, type HistoryRow, type LockHolder, type RowStatus } from './history.js';
// The names of molt's companion tables (the lock, the jobs of moltkit/leases) derive from the history table's.
export { tableNames, type TableNames } from './history-schema.js';
export { describeHolder } from './lock.js';
export { allowedCodes } from './directives.js';
export { compareVersions, type Migration, type Phase } from './migration.js';
export { idOf, isApplied, byVersion, newestVersion, newRow, splitUnknown } from './vocabulary.js';
export type { AppliedMigration, MigrateReport, StatusReport } from './report.js';
export type { MigrationResult, MigrationFailure } from './runner.js';
export { readHistory, type CommonOptions } from './context.js';
export { writeSum, checkSum, assertSum, SUM_FILE, type SumCheck } from './sum.js';
export { judgeCompatibility, readCompatibility, type Compatibility } from './compatibility.js';

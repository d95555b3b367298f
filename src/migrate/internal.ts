// What molt's other areas (cli, lint, backup, probes, leases) use from migrate and a user does not call. It is not a
// package export: `moltkit/migrate` is ./index.ts.
export * from './index.js';
export { migrateError } from './migrate.js';
export { assertTarget } from './pending.js';
export { verifyError } from './status.js';
export { executionMode, planExecution } from './execution-plan.js';
export { validateTableName, type History } from './history.js';
// The names of molt's companion tables (the lock, the jobs of moltkit/leases) derive from the history table's.
export { tableNames, type TableNames } from './history-schema.js';
export { describeHolder } from './lock.js';
export { allowedCodes } from './directives.js';
export { assertSum, SUM_FILE } from './sum.js';
export {
  readHistory,
  openContext,
  historyOn,
  instancesTable,
  withLock,
  withSession,
  type RunContext,
} from './context.js';
export { InstancesTable, nowMs, rowsOrNone } from './instances-table.js';
export { knowledgeOf, survives } from './knowledge.js';
export { blockersOf, waitLine } from './waits.js';
export { readCompatibility } from './compatibility.js';
export { newRow, splitUnknown, byVersion, type RowAuthor } from './vocabulary.js';

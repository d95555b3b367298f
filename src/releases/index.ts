// Releases that know each other: live instances registered in the database, contract migrations that wait for the
// old release, `plan` and rollback verdicts.
export {
  registerInstance,
  joinInstance,
  connectInstance,
  type InstanceConnection,
  PURGE_AFTER_MS,
  type Instance,
  type InstanceOptions,
  type LifecycleLike,
} from './instance.js';
export { applyContracts, waitingError, type ContractOptions } from './contract.js';
export { plan, type PlanOptions, type PlanReport, type PlanItem, type PlanFinding } from './plan.js';
export { rollback, rollbackVerdicts, type RollbackOptions, type RollbackReport } from './rollback.js';
export type { RollbackVerdict, ArchiveRef } from './verdicts.js';

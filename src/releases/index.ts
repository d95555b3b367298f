// Releases that know each other: live instances registered in the database, contract migrations that wait for the
// old release, `plan` and rollback verdicts.
export {
  registerInstance,
  PURGE_AFTER_MS,
  type Instance,
  type InstanceOptions,
  type LifecycleLike,
} from './instance.js';
export { applyContracts, waitingError, type ContractOptions } from './contract.js';

export { openLeases, type OpenLeasesOptions } from './open-leases.js';
export { Leases, DEFAULT_LEASE_POLICY } from './leases.js';
export {
  Worker,
  stderrReporter,
  type JobHandler,
  type JobContext,
  type WorkOptions,
  type WorkerEvent,
} from './worker.js';
export {
  JOB_STATES,
  type Job,
  type JobState,
  type Claim,
  type LeasePolicy,
  type SweepItem,
  type SweepReport,
} from './types.js';

export { createProbes, type Probes, type ProbeKind, type ProbeResponse, type VersionBody } from './probes.js';
export { expressProbes, fastifyProbes, honoProbes, type FastifyLike, type HonoContextLike } from './adapters.js';
export {
  DEFAULT_PATHS,
  DEFAULT_TIMINGS,
  type ProbesOptions,
  type ProbeTimings,
  type ProbePaths,
  type VersionSettings,
  type LifecycleLike,
  type LifecyclePhase,
  type DatabaseTarget,
  type DatabaseCheck,
} from './options.js';
export type { HealthBody, HealthCheck, HealthStatus } from './health-body.js';
export type { DatabaseState } from './database-monitor.js';
export { COMMIT_ENV } from '../runtime/index.js';
export { judgeCompatibility, readCompatibility, type Compatibility } from '../migrate/internal.js';

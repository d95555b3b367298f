// moltkit: what a service calls on boot, and the names every area shares.
export { migrate, type BootOptions } from './boot.js';
export {
  runMigrations,
  status,
  verify,
  type MigrateOptions,
  type MigrateReport,
  type StatusReport,
  type CommonOptions,
} from './migrate/index.js';
export { orThrow, type Outcome } from './outcome.js';
export { MoltError, type MoltErrorCode } from './errors.js';
export { resolveConfig, redactUrl, type ConfigInput, type MoltConfig } from './config/index.js';
export { createDriver, type Driver, type Session, type Capabilities } from './drivers/index.js';
export { stderrLogger, type Logger, type LoggerOption } from './runtime/index.js';
export { MOLT_VERSION } from './version.js';

export * from './migrate/index.js';
// The boot-time migrate: the engine plus the automatic backup (molt/migrate has the bare engine).
export { migrate } from './boot.js';
export { MoltError, type MoltErrorCode } from './errors.js';
export { resolveConfig, redactUrl, type ConfigInput, type MoltConfig } from './config/index.js';
export { createDriver, type Driver, type Session, type Capabilities } from './drivers/index.js';
export { MOLT_VERSION } from './version.js';

export * from './migrate/index.js';
export { MoltError, type MoltErrorCode } from './errors.js';
export { resolveConfig, redactUrl, type ConfigInput, type MoltConfig } from './config/index.js';
export { createDriver, type Driver, type Session, type Capabilities } from './drivers/index.js';
export { MOLT_VERSION } from './version.js';

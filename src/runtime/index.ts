// The runtime every area takes its settings from: configuration, a configured session, the logger, the app version.
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export {
  applySessionSettings,
  configureSession,
  connectWaiting,
  openSession,
  withConfiguredSession,
  type SessionOptions,
} from './session.js';
export { stderrLogger, silentLogger, toLogger, type Logger, type LoggerOption } from './logger.js';
export { COMMIT_ENV, resolveAppVersion, type AppVersionSource } from './app-version.js';
export { MOLT_VERSION } from '../version.js';
export { mountBefore } from './mount.js';

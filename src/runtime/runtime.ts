import { hostname } from 'node:os';
import { resolveConfig, type ConfigInput, type MoltConfig } from '../config/config.js';
import { createDriver } from '../drivers/index.js';
import type { Driver } from '../drivers/types.js';
import { MOLT_VERSION } from '../version.js';
import { resolveAppVersion } from './app-version.js';
import { toLogger, type Logger, type LoggerOption } from './logger.js';

/** Options every library call that reaches the database takes: the shared settings, the logger and who is asking. */
export interface RuntimeOptions extends ConfigInput {
  /** The service's version, recorded with each migration; defaults to `MOLT_APP_VERSION`, then package.json in `cwd`. */
  appVersion?: string | null;
  /** Base directory for relative paths and molt.config.json. */
  cwd?: string;
  /** Where log lines go: a Logger, a function taking each line, or `false`; default stderr. */
  logger?: LoggerOption;
  /** Aborts waits (for the database, for the lock) on Ctrl-C. */
  signal?: AbortSignal;
  /** Runs once the configuration is resolved, before any connection: boot finishes an interrupted restore here. */
  onOpen?: (config: MoltConfig, log: Logger) => Promise<void>;
}

/** What one library call runs with: the resolved configuration, the driver, the logger and who is asking. */
export interface Runtime {
  config: MoltConfig;
  driver: Driver;
  log: Logger;
  appVersion: string | null;
  moltVersion: string;
  host: string;
  signal?: AbortSignal;
}

/**
 * Resolves the configuration (flags, environment, molt.config.json, defaults), loads the driver and names the
 * caller; it opens no connection. `config` is the configuration when the caller resolved it already.
 * @example
 * const runtime = await openRuntime({ db: 'sqlite:./data/app.db' });
 * await withConfiguredSession(runtime, { writes: false }, (session) => session.query('SELECT 1'));
 */
export async function openRuntime(
  options: RuntimeOptions = {},
  config: MoltConfig = resolveConfig(options, { cwd: options.cwd ?? process.cwd() }),
): Promise<Runtime> {
  const cwd = options.cwd ?? process.cwd();
  const driver = await createDriver(config.db);
  const log = toLogger(options.logger);
  await options.onOpen?.(config, log);
  return {
    config,
    driver,
    log,
    appVersion: resolveAppVersion({ appVersion: options.appVersion, cwd }),
    moltVersion: MOLT_VERSION,
    host: hostname(),
    signal: options.signal,
  };
}

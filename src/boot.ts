import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MoltConfig } from './config/config.js';
import { parseDatabaseUrl } from './config/url.js';
import { runMigrations, verify, type MigrateOptions, type MigrateReport } from './migrate/internal.js';
import { orThrow } from './outcome.js';
import { connectInstance, joinInstance, type InstanceOptions, type LifecycleLike } from './releases/index.js';
import { openRuntime, toLogger, type Logger } from './runtime/index.js';

/** Options of the boot-time `migrate`: the engine's, plus what a service does with migrations when it starts. */
export interface BootOptions extends MigrateOptions {
  /** `migrate` (default) applies, `verify` only checks (replicas that must not migrate), `off` does nothing. */
  mode?: 'migrate' | 'verify' | 'off';
  /**
   * The lifecycle this process follows: its instance row says serving once it is ready and draining when it drains,
   * and is removed when it closes. Without one the instance serves at once and goes stale after it exits.
   */
  lifecycle?: LifecycleLike;
  /** How this process registers as a live instance (its name, its commit), or `false` for a one-off script. */
  instance?: false | Pick<InstanceOptions, 'name' | 'commit'>;
}

/**
 * A restore killed while it swapped a file-backed database and its data directories into place left a journal beside
 * the database; the service must not start on the new database with the old directories, so boot finishes the swap.
 * It runs on the configuration the engine resolves, so a boot reads it once.
 */
async function finishInterruptedRestore(config: MoltConfig, log: Logger): Promise<void> {
  const target = parseDatabaseUrl(config.db);
  if (!('path' in target) || target.path === ':memory:' || !existsSync(dirname(target.path))) return;
  const { recoverSwaps } = await import('./backup/swap-journal.js');
  for (const done of await recoverSwaps(dirname(target.path)))
    log.info(`finished swapping ${done} into place, which an interrupted restore had begun`);
}

const empty = { from: null, to: null, migrations: [], problems: [], warnings: [], durationMs: 0 };

/**
 * The automatic backup as a `beforeApply` hook: an archive before the first pending migration, when
 * `backupBeforeMigrate` says so (`auto`: where the driver says a copy is cheap and no server keeps backups; `always`;
 * `never`). An empty database has nothing to lose.
 */
function automaticBackup(options: MigrateOptions, log: Logger): NonNullable<MigrateOptions['beforeApply']> {
  // Decided from the engine's own settings and driver, so boot resolves the configuration once.
  return async ({ from, pending, config, capabilities }) => {
    const wanted =
      config.backupBeforeMigrate === 'always' || (config.backupBeforeMigrate === 'auto' && capabilities.cheapBackup);
    if (!wanted || from === null) return null;
    // The archive code loads only when a backup is due.
    const { backup } = await import('./backup/index.js');
    const report = await backup({ ...options, logger: false, onOpen: undefined });
    log.info(`backup before migrating ${pending} migration(s) from ${from}: ${report.file}`);
    return report.file;
  };
}

/**
 * The engine's options with what a boot adds, unless the caller gave its own: an interrupted restore finished before
 * anything connects, and the automatic backup before the first migration. `molt migrate` runs the engine with them.
 */
export function withBootHooks<T extends MigrateOptions>(options: T): T {
  return {
    ...options,
    onOpen: options.onOpen ?? finishInterruptedRestore,
    beforeApply: options.beforeApply ?? automaticBackup(options, toLogger(options.logger)),
  };
}

/**
 * What a service calls on boot: the migration engine (`runMigrations`) with the automatic backup wired in, throwing
 * a MoltError (the report in `details.report`) when it refuses, a migration fails or an interrupt stops it, so the
 * service never starts on a schema it cannot use. `mode: 'verify'` only checks (replicas that must not migrate) and
 * `mode: 'off'` does nothing.
 * @example
 * import { migrate } from 'moltkit';
 * const report = await migrate({ dir: './migrations' });
 * console.log(report.status, report.from, report.to);
 */
export async function migrate(options: BootOptions = {}): Promise<MigrateReport> {
  const hooked = withBootHooks(options);
  if (options.mode === 'off') {
    const runtime = await openRuntime(hooked);
    return { ...empty, status: 'skipped', database: runtime.driver.displayUrl };
  }
  // The instance's connection opens while the schema step runs, so its handshake costs the boot nothing.
  const early =
    options.instance === false ? null : connectInstance({ ...hooked, ...options.instance }, { early: true });
  early?.catch(() => undefined);
  let report: MigrateReport;
  try {
    report = await bootMigrate(options, hooked);
  } catch (error) {
    void early?.then((c) => c?.session.close()).catch(() => undefined);
    throw error;
  }
  if (options.instance !== false) {
    // Registered once the schema fits, so a live row always stands for a process that can serve.
    const migrating = options.mode !== 'verify';
    await joinInstance(
      {
        ...hooked,
        ...options.instance,
        lifecycle: options.lifecycle,
        waiting: migrating ? report.heldBack : [],
        applyDeferred: migrating ? async () => orThrow(await runMigrations(hooked)).heldBack ?? [] : undefined,
      },
      early ?? undefined,
    );
  }
  return report;
}

/** The boot's schema step: the engine, or under `verify` the gate alone. */
async function bootMigrate(options: BootOptions, hooked: BootOptions): Promise<MigrateReport> {
  const started = Date.now();
  if (options.mode === 'verify') {
    const status = orThrow(await verify(hooked));
    return {
      ...empty,
      status: 'up_to_date',
      database: status.database,
      from: status.current,
      to: status.current,
      warnings: status.warnings,
      durationMs: Date.now() - started,
    };
  }
  return orThrow(await runMigrations(hooked));
}

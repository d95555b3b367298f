import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveConfig } from './config/config.js';
import { parseDatabaseUrl } from './config/url.js';
import { migrate as migrateEngine, stderrLogger, type MigrateOptions, type MigrateReport } from './migrate/index.js';

/**
 * A restore killed while it swapped a file-backed database and its data directories into place left a journal beside
 * the database; the service must not start on the new database with the old directories, so boot finishes the swap.
 */
async function finishInterruptedRestore(
  options: MigrateOptions,
  log: { info(line: string): void } | undefined,
): Promise<void> {
  const target = parseDatabaseUrl(resolveConfig(options, { cwd: options.cwd }).db, options.cwd);
  if (!('path' in target) || target.path === ':memory:' || !existsSync(dirname(target.path))) return;
  const { recoverSwaps } = await import('./backup/swap-journal.js');
  for (const done of await recoverSwaps(dirname(target.path)))
    log?.info(`finished swapping ${done} into place, which an interrupted restore had begun`);
}

/**
 * What a service calls on boot, and what `molt migrate` runs: the migration engine with the
 * automatic backup wired in. Before the first pending migration is applied, under the lock, it
 * writes a backup archive when `backupBeforeMigrate` says so (`auto`: SQLite only, where it is cheap
 * and there is no server-side backup; `always`; `never`), and the report names the file.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateReport> {
  const log = options.logger === false ? undefined : (options.logger ?? stderrLogger);
  await finishInterruptedRestore(options, log);
  if (options.beforeApply || options.mode === 'verify' || options.mode === 'off') return migrateEngine(options);
  return migrateEngine({
    ...options,
    // Decided from the engine's own settings and driver, so boot resolves the configuration once.
    beforeApply: async ({ from, pending, config, kind }) => {
      const wanted =
        config.backupBeforeMigrate === 'always' || (config.backupBeforeMigrate === 'auto' && kind === 'sqlite');
      // An empty database has nothing to lose; the archive code loads only when a backup is due.
      if (!wanted || from === null) return null;
      const { backup } = await import('./backup/index.js');
      const report = await backup({ ...options, logger: false });
      log?.info(`backup before migrating ${pending} migration(s) from ${from}: ${report.file}`);
      return report.file;
    },
  });
}

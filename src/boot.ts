import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MoltConfig } from './config/config.js';
import { parseDatabaseUrl } from './config/url.js';
import {
  migrate as migrateEngine,
  stderrLogger,
  type Logger,
  type MigrateOptions,
  type MigrateReport,
} from './migrate/index.js';

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

/**
 * What a service calls on boot, and what `molt migrate` runs: the migration engine with the
 * automatic backup wired in. Before the first pending migration is applied, under the lock, it
 * writes a backup archive when `backupBeforeMigrate` says so (`auto`: SQLite only, where it is cheap
 * and there is no server-side backup; `always`; `never`), and the report names the file.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateReport> {
  const log = options.logger === false ? undefined : (options.logger ?? stderrLogger);
  const onOpen = options.onOpen ?? finishInterruptedRestore;
  if (options.beforeApply || options.mode === 'verify' || options.mode === 'off')
    return migrateEngine({ ...options, onOpen });
  return migrateEngine({
    ...options,
    onOpen,
    // Decided from the engine's own settings and driver, so boot resolves the configuration once.
    beforeApply: async ({ from, pending, config, kind }) => {
      const wanted =
        config.backupBeforeMigrate === 'always' || (config.backupBeforeMigrate === 'auto' && kind === 'sqlite');
      // An empty database has nothing to lose; the archive code loads only when a backup is due.
      if (!wanted || from === null) return null;
      const { backup } = await import('./backup/index.js');
      const report = await backup({ ...options, logger: false, onOpen: undefined });
      log?.info(`backup before migrating ${pending} migration(s) from ${from}: ${report.file}`);
      return report.file;
    },
  });
}

import { migrate as migrateEngine, stderrLogger, type MigrateOptions, type MigrateReport } from './migrate/index.js';

/**
 * What a service calls on boot, and what `molt migrate` runs: the migration engine with the
 * automatic backup wired in. Before the first pending migration is applied, under the lock, it
 * writes a backup archive when `backupBeforeMigrate` says so (`auto`: SQLite only, where it is cheap
 * and there is no server-side backup; `always`; `never`), and the report names the file.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateReport> {
  if (options.beforeApply || options.mode === 'verify' || options.mode === 'off') return migrateEngine(options);
  const log = options.logger === false ? undefined : (options.logger ?? stderrLogger);
  return migrateEngine({
    ...options,
    // Decided from the engine's own settings and driver, so boot resolves the configuration once.
    beforeApply: async ({ from, pending, config, kind }) => {
      const wanted = config.backupBeforeMigrate === 'always' || (config.backupBeforeMigrate === 'auto' && kind === 'sqlite');
      // An empty database has nothing to lose; the archive code loads only when a backup is due.
      if (!wanted || from === null) return null;
      const { backup } = await import('./backup/index.js');
      const report = await backup({ ...options, logger: false });
      log?.info(`backup before migrating ${pending} migration(s) from ${from}: ${report.file}`);
      return report.file;
    },
  });
}

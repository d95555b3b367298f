import { MoltError } from '../errors.js';
import {
  instancesTable,
  openContext,
  withSession,
  type CommonOptions,
  type HistoryRow,
  type LiveInstance,
  type ReleaseRecord,
  type RunContext,
} from '../migrate/internal.js';
import type { ArchiveRef } from './verdicts.js';

/** What the database says about releases, read once on a read-only session, and the archives of the backup directory. */
export interface ReleaseState {
  ctx: RunContext;
  rows: HistoryRow[];
  /** Registered instances that are not stale. */
  live: LiveInstance[];
  releases: ReleaseRecord[];
  /** Archives of this database, newest first; unreadable ones are left out. */
  archives: ArchiveRef[];
}

/**
 * Reads the history, the live instances, the releases seen and the archives. A database with no history has no
 * release to plan against or roll back to: that is `NO_HISTORY`, not an empty answer.
 */
export async function readReleaseState(options: CommonOptions, needMigrations = true): Promise<ReleaseState> {
  const ctx = await openContext(options, needMigrations);
  const { rows, live, releases } = await withSession(
    ctx,
    async (session, history) => {
      const instances = await instancesTable(ctx, session);
      return {
        rows: await history.read(),
        live: (await instances.list()).filter((i) => !i.stale),
        releases: await instances.releases(),
      };
    },
    { writes: false },
  );
  if (rows.length === 0) {
    throw new MoltError('NO_HISTORY', `${ctx.driver.displayUrl} has no migration history: no release ran on it yet`, {
      hint: 'Check --db; on a first install there is nothing to plan or roll back: `molt migrate --dry-run` lists what will run',
      details: { database: ctx.driver.displayUrl },
    });
  }
  const { listBackups } = await import('../backup/index.js');
  const { backups } = await listBackups(options);
  const archives = backups
    .filter((b) => !b.error && b.createdAt)
    .map((b) => ({
      file: b.file,
      createdAt: b.createdAt!,
      schemaVersion: b.schemaVersion ?? null,
      appVersion: b.appVersion ?? null,
    }));
  return { ctx, rows, live, releases, archives };
}

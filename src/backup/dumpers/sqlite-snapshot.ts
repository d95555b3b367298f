import { existsSync, statSync } from 'node:fs';
import { sqliteSql } from '../../drivers/sqlite/sqlite-dialect.js';
import { MoltError } from '../../errors.js';
import type { Snapshot } from '../types.js';
import { BUSY_MS, backupFailure, loadSqlite } from './sqlite-target.js';

/** How long the checkpoint that empties the WAL may wait for other readers before the staged copy is used instead. */
const CHECKPOINT_WAIT_MS = 1_000;

/**
 * Holds a read transaction in which the database file alone is the snapshot, so the archive can
 * read the live file in place: one pass over the bytes instead of a copy and then a second pass.
 *
 * Rollback-journal mode: the read lock keeps every writer from changing the file until release.
 * WAL mode: the WAL is checkpointed and truncated first; if it is still empty once the read
 * transaction holds, SQLite reads this snapshot from the file alone (read mark 0), and while such a
 * reader lives no checkpoint may copy frames into the file. Writers go on appending to the WAL.
 * Returns null when a writer got in between, so that the caller takes a staged copy instead.
 */
export async function sqliteSnapshot(path: string): Promise<Snapshot | null> {
  if (!existsSync(path))
    throw new MoltError('BACKUP_FAILED', `${path} does not exist`, { hint: 'Check the database URL' });
  const Database = await loadSqlite();
  let db: InstanceType<typeof Database> | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: BUSY_MS });
    const wal = db.pragma('journal_mode', { simple: true }) === 'wal';
    if (wal) {
      db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma(`busy_timeout = ${BUSY_MS}`);
    }
    db.exec(sqliteSql.transaction.begin);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (wal && (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) {
      db.exec('COMMIT');
      db.close();
      return null;
    }
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const held = db;
    return {
      file: path,
      size: pageSize * pages,
      release: () => {
        try {
          held.exec('COMMIT');
        } finally {
          held.close();
        }
      },
    };
  } catch (cause) {
    db?.close();
    throw backupFailure(path, `Backup of ${path}`, cause, 'Check that the database file is readable');
  }
}

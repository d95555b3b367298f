import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { MoltError, messageOf } from '../../errors.js';
import type { DumpTarget } from '../types.js';

/** How long a dump waits for a rollback-journal writer to release the file before it gives up. */
export const BUSY_MS = 30_000;

/** The files SQLite keeps beside a database, which belong to it. */
export const SIBLINGS = ['-wal', '-shm', '-journal'] as const;

/** Loads better-sqlite3 only when an SQLite backup or restore runs. */
export async function loadSqlite(): Promise<typeof BetterSqlite3> {
  return (await import('better-sqlite3')).default;
}

/** The SQLite result code of an error, e.g. `SQLITE_BUSY`, or ''. */
export const codeOf = (error: unknown): string => String((error as { code?: unknown }).code ?? '');

/** The database file, through any symlink: SQLite keeps -wal and -shm beside the real file, and restore must replace that one. */
export function targetPath(target: DumpTarget, code: 'BACKUP_FAILED' | 'RESTORE_FAILED'): string {
  if (!target.path)
    throw new MoltError(code, 'The SQLite target has no file path', {
      hint: 'Use a database URL of the form sqlite:path/to/file.db',
    });
  const path = resolve(target.path);
  return existsSync(path) ? realpathSync(path) : path;
}

/** A failed read of `source` for a backup: a busy file says how long molt waited, anything else what to check. */
export function backupFailure(source: string, what: string, cause: unknown, otherwise: string): MoltError {
  return new MoltError('BACKUP_FAILED', `${what} failed: ${messageOf(cause)}`, {
    cause,
    hint: codeOf(cause).startsWith('SQLITE_BUSY')
      ? `Another process kept ${source} locked for ${BUSY_MS / 1000} s; try again when it is less busy`
      : otherwise,
  });
}

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig } from '../config/config.js';
import { messageOf } from '../errors.js';
import type { CommonOptions } from '../migrate/internal.js';
import { readAbout, verifyBackupArchive } from './about.js';
import { archiveDatabase, databaseIdentity, moltArchives } from './naming.js';
import type { Manifest, Progress } from './types.js';

/** One archive as `backup list` shows it, read from its first entry only. */
export interface BackupListing {
  file: string;
  bytes: number;
  createdAt?: string;
  kind?: string;
  serverVersion?: string;
  /** Which database it holds: the SQLite file, or host:port/database on a server. */
  database?: string;
  schemaVersion?: string | null;
  appVersion?: string | null;
  /** Why the archive could not be read; `backup verify` tells more. */
  error?: string;
}

/**
 * The archives molt wrote in the backup directory, newest first, with what each holds: those of the configured
 * database, or of every database with `all` (one backup directory may serve several).
 * @example
 * const { backups } = await listBackups({ backupDir: './backups' });
 */
export async function listBackups(
  options: CommonOptions & { all?: boolean } = {},
): Promise<{ dir: string; database: string; backups: BackupListing[] }> {
  const config = resolveConfig(options, { cwd: options.cwd });
  const mine = databaseIdentity(config.db, options.cwd);
  const backups: BackupListing[] = [];
  for (const file of moltArchives(config.backupDir)) {
    const bytes = statSync(file).size;
    try {
      const about = await readAbout(file);
      const database = about.database as Manifest['database'];
      const schema = about.schema as { version: string | null };
      const identity = archiveDatabase(about);
      if (!options.all && identity !== mine) continue;
      backups.push({
        file,
        bytes,
        createdAt: String(about.createdAt),
        kind: database.kind,
        serverVersion: database.serverVersion,
        database: identity ?? undefined,
        schemaVersion: schema.version,
        appVersion: (about.appVersion as string | null) ?? null,
      });
    } catch (error) {
      backups.push({ file, bytes, error: messageOf(error) });
    }
  }
  return { dir: config.backupDir, database: mine, backups };
}

/** What `backup verify` found: the archive is whole and every entry matches the manifest. */
export interface VerifyReport {
  file: string;
  bytes: number;
  manifest: Manifest;
}

/**
 * Checks an archive completely (gzip, tar, every entry's size and sha256 against the manifest) and returns what it holds.
 * @example
 * const { manifest } = await verifyBackup('./backups/molt-backup-app-20261206T101500000Z-0042.tar.gz');
 */
export async function verifyBackup(
  file: string,
  options: { cwd?: string; progress?: Progress } = {},
): Promise<VerifyReport> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const { manifest } = await verifyBackupArchive(path, options.progress);
  return { file: path, bytes: statSync(path).size, manifest };
}

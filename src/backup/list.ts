import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tar from 'tar';
import { resolveConfig } from '../config/config.js';
import { messageOf } from '../errors.js';
import type { CommonOptions } from '../migrate/index.js';
import { ABOUT_ENTRY } from './backup.js';
import { verifyArchive } from './archive-read.js';
import { moltArchives } from './naming.js';
import type { Manifest, Progress } from './types.js';

/** One archive as `backup list` shows it, read from its first entry only. */
export interface BackupListing {
  file: string;
  bytes: number;
  createdAt?: string;
  kind?: string;
  serverVersion?: string;
  schemaVersion?: string | null;
  appVersion?: string | null;
  /** Why the archive could not be read; `backup verify` tells more. */
  error?: string;
}

/** Reads `about.json`, the first entry, and stops: listing must not decompress whole archives. */
function readAbout(file: string): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const stream = createReadStream(file);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null, value?: Record<string, unknown>): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (error) reject(error);
      else resolvePromise(value!);
    };
    const parser = new tar.Parser({
      onReadEntry: (entry) => {
        if (entry.path !== ABOUT_ENTRY) {
          entry.resume();
          finish(new Error(`the first entry is ${entry.path}, not ${ABOUT_ENTRY}: not a molt backup`));
          return;
        }
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          try {
            finish(null, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch (error) {
            finish(error as Error);
          }
        });
      },
    });
    parser.on('error', (error: Error) => finish(error));
    parser.on('end', () => finish(new Error('the archive holds no entry')));
    stream.on('error', (error) => finish(error));
    stream.pipe(parser);
  });
}

/** The archives molt wrote in the backup directory, newest first, with what each holds. */
export async function listBackups(options: CommonOptions = {}): Promise<{ dir: string; backups: BackupListing[] }> {
  const config = resolveConfig(options, { cwd: options.cwd });
  const backups: BackupListing[] = [];
  for (const file of moltArchives(config.backupDir)) {
    const bytes = statSync(file).size;
    try {
      const about = await readAbout(file);
      const database = about.database as Manifest['database'];
      const schema = about.schema as { version: string | null };
      backups.push({ file, bytes, createdAt: String(about.createdAt), kind: database.kind, serverVersion: database.serverVersion, schemaVersion: schema.version, appVersion: (about.appVersion as string | null) ?? null });
    } catch (error) {
      backups.push({ file, bytes, error: messageOf(error) });
    }
  }
  return { dir: config.backupDir, backups };
}

/** What `backup verify` found: the archive is whole and every entry matches the manifest. */
export interface VerifyReport {
  file: string;
  bytes: number;
  manifest: Manifest;
}

/** Checks an archive completely (gzip, tar, every entry's size and sha256 against the manifest) and returns what it holds. */
export async function verifyBackup(file: string, options: { cwd?: string; progress?: Progress } = {}): Promise<VerifyReport> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const { manifest } = await verifyArchive(path, options.progress);
  return { file: path, bytes: statSync(path).size, manifest };
}

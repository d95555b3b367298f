import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MoltError } from '../errors.js';
import type { CommonOptions } from '../migrate/internal.js';
import { writeArchive } from './archive-write.js';
import { listDataDir } from './data-dirs.js';
import { dumperFor } from './dumpers/index.js';
import { applyRetention, databaseIdentity, defaultArchiveName } from './naming.js';
import { ABOUT_ENTRY } from './about.js';
import { ownedTag, sweepLeftovers } from './leftovers.js';
import { recoverSwaps } from './swap-journal.js';
import { readSchema, resolveTarget } from './target.js';
import type { DatabaseKind, Manifest, Progress, Snapshot } from './types.js';
import { displayUrl } from '../config/url.js';

/** Options of `backup`. */
export interface BackupOptions extends CommonOptions {
  /** Where to write the archive; default: a dated name in the configured backup directory. */
  file?: string;
  /** Called as bytes move; the CLI draws it on a terminal. */
  progress?: Progress;
}

/** What `backup` wrote. */
export interface BackupReport {
  file: string;
  bytes: number;
  durationMs: number;
  database: { kind: DatabaseKind; serverVersion: string; url: string };
  /** The newest applied migration, or null. */
  schemaVersion: string | null;
  entries: number;
  dataDirs: string[];
  /** Older archives that retention removed. */
  removed: string[];
  /** What interrupted backups or restores had left in the backup directory, removed by this one. */
  leftovers: string[];
  /** Files of data directories that were not stored (symlinks, sockets, devices), with why. */
  skipped: { file: string; reason: string }[];
}

export { ABOUT_ENTRY } from './about.js';

/**
 * Writes one verified-on-read archive of the configured database and data directories: a
 * consistent dump taken while the service runs, a manifest with the sha256 of every entry, written
 * under a temporary name and renamed when complete. Older archives beyond `backupKeep` are removed.
 * @example
 * const { file } = await backup({ db: 'sqlite:./data/app.db', dataDirs: { uploads: './data/uploads' } });
 */
export async function backup(options: BackupOptions = {}): Promise<BackupReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const { ctx, kind, target } = await resolveTarget(options);
  const dumper = await dumperFor(kind);
  const tool = await dumper.preflight(target);
  const schema = await readSchema(ctx);
  const now = new Date();
  const backupDir = ctx.config.backupDir;
  const identity = databaseIdentity(ctx.config.db, options.cwd);
  const file = options.file
    ? resolve(options.cwd ?? process.cwd(), options.file)
    : join(backupDir, defaultArchiveName(identity, schema.version, now));
  if (existsSync(file))
    throw new MoltError('BACKUP_FAILED', `${file} already exists`, {
      hint: 'Name another file, or move the old one away',
    });
  for (const [name, dir] of Object.entries(ctx.config.dataDirs)) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new MoltError('BACKUP_FAILED', `data directory "${name}" (${dir}) does not exist`, {
        hint: 'Fix dataDirs in molt.config.json, MOLT_DATA_DIRS or --data-dir',
      });
    }
  }
  // A backups directory molt makes is the owner's alone, like the archives in it.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The dump is staged beside the archive, on the same disk, and removed however the backup ends.
  // A restore killed while swapping a file-backed database into place is finished before it is backed up.
  if (target.path)
    for (const done of await recoverSwaps(dirname(target.path)))
      ctx.log.info(`finished swapping ${done} into place, which an interrupted restore had begun`);
  const leftovers = await sweepLeftovers(dirname(file));
  for (const l of leftovers) ctx.log.info(`removed ${l}, left by an interrupted backup or restore`);
  const work = mkdtempSync(join(dirname(file), `.molt-backup-${ownedTag()}-`));
  let snapshot: Snapshot | null = null;
  try {
    snapshot = (await dumper.snapshot?.(target)) ?? null;
    const dumpFile = join(work, dumper.fileName);
    if (!snapshot) await dumper.dump(target, dumpFile, progress);
    const header: Omit<Manifest, 'entries'> = {
      format: 'molt-backup',
      formatVersion: 1,
      moltVersion: ctx.moltVersion,
      appVersion: ctx.appVersion,
      createdAt: now.toISOString(),
      host: ctx.host,
      database: {
        kind,
        serverVersion: target.serverVersion,
        url: displayUrl(ctx.config.db),
        dumpFormat: dumper.format,
        dumpPath: `database/${dumper.fileName}`,
        tool,
      },
      schema,
      dataDirs: Object.entries(ctx.config.dataDirs).map(([name, source]) => ({ name, source })),
    };
    const about = join(work, ABOUT_ENTRY);
    writeFileSync(
      about,
      `${JSON.stringify({ ...header, database: { ...header.database, identity }, schema: { version: schema.version, migrations: schema.history.length } }, null, 2)}\n`,
    );
    const listings = Object.entries(ctx.config.dataDirs).map(([name, dir]) => listDataDir(name, dir));
    const dump = {
      path: header.database.dumpPath,
      file: snapshot?.file ?? dumpFile,
      size: snapshot?.size,
      steady: true,
    };
    const sources = [{ path: ABOUT_ENTRY, file: about }, dump, ...listings.flatMap((l) => l.sources)];
    const manifest = await writeArchive(file, sources, header, { progress, level: dumper.archiveLevel ?? 0 });
    const removed = options.file ? [] : await applyRetention(backupDir, identity, ctx.config.backupKeep, file);
    return {
      file,
      bytes: statSync(file).size,
      durationMs: Date.now() - started,
      database: { kind, serverVersion: target.serverVersion, url: header.database.url },
      schemaVersion: schema.version,
      entries: manifest.entries.length,
      dataDirs: header.dataDirs.map((d) => d.name),
      removed,
      leftovers,
      skipped: listings.flatMap((l) => l.skipped),
    };
  } finally {
    snapshot?.release();
    rmSync(work, { recursive: true, force: true });
  }
}

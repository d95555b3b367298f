import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MoltError, messageOf } from '../errors.js';
import { idOf, loadMigrations, type CommonOptions } from '../migrate/internal.js';
import { extractArchive } from './archive-read.js';
import { verifyBackupArchive } from './about.js';
import { restoreDataDir, stageDataDir } from './data-dirs.js';
import { recoverSwaps, swapTogether, type SwapStep } from './swap-journal.js';
import { ownedTag, sweepLeftovers } from './leftovers.js';
import { dumperFor } from './dumpers/index.js';
import { resolveTarget } from './target.js';
import type { Manifest, Progress, RestoreOutcome } from './types.js';

/** What an archive holds, as `restore` shows it before asking. */
export interface ArchiveSummary {
  file: string;
  /** The database it would replace, password redacted. */
  target: string;
  bytes: number;
  createdAt: string;
  host: string;
  appVersion: string | null;
  database: Manifest['database'];
  schemaVersion: string | null;
  migrations: number;
  dataDirs: string[];
  /** Where each data directory of the archive would go: only directories the configuration or `--data-dir` names. */
  destinations: { name: string; path: string }[];
  /** Migrations in the archive that this binary's migration set does not have. */
  unknownMigrations: string[];
}

/** Options of `restore`. */
export interface RestoreOptions extends CommonOptions {
  file: string;
  /** Restore an archive whose schema is newer than this binary knows. */
  force?: boolean;
  /** Asked with the summary after verification; restore goes on only when it resolves true. Without it, `yes` must be set. */
  confirm?: (summary: ArchiveSummary) => Promise<boolean>;
  yes?: boolean;
  progress?: Progress;
}

/** What `restore` did. */
export interface RestoreReport {
  summary: ArchiveSummary;
  target: string;
  /** Where a server target's previous contents were kept (drop it once the restore is confirmed good). */
  previous: string | null;
  notes: string[];
  dataDirs: { name: string; path: string }[];
  durationMs: number;
}

/** The archive's migrations that the configured migration set does not have (a newer release's). */
function unknownMigrations(manifest: Manifest, options: CommonOptions, dir: string): string[] | null {
  if (manifest.schema.history.length === 0) return [];
  let known: Set<string>;
  try {
    known = new Set(loadMigrations(options.bundle ? { bundle: options.bundle } : { dir }).map((m) => m.id));
  } catch {
    return null;
  }
  return manifest.schema.history.map(idOf).filter((id) => !known.has(id));
}

/**
 * Restores an archive into the configured database and data directories. It verifies every entry
 * first and changes nothing when anything is wrong; it refuses an archive from a newer schema
 * unless `force`; the dump is checked before the target is touched, and each part is replaced
 * atomically.
 * @example
 * await restore({ file: './backups/molt-backup-app-20261206T101500000Z-0042.tar.gz', yes: true });
 */
export async function restore(options: RestoreOptions): Promise<RestoreReport> {
  const started = Date.now();
  const file = resolve(options.cwd ?? process.cwd(), options.file);
  if (!existsSync(file))
    throw new MoltError('BACKUP_INVALID', `${file} does not exist`, {
      hint: '`molt backup list` shows the archives in the backup directory',
    });
  const progress = options.progress ?? (() => undefined);
  const { manifest, bytes } = await verifyBackupArchive(file, progress);
  const { ctx, kind, target } = await resolveTarget(options, true);
  if (manifest.database.kind !== kind) {
    throw new MoltError(
      'RESTORE_REFUSED',
      `${file} holds a ${manifest.database.kind} database, but the target ${ctx.driver.displayUrl} is ${kind}`,
      {
        hint: 'Point --db at a database of the same kind',
      },
    );
  }
  const unknown = unknownMigrations(manifest, options, ctx.config.dir);
  const summary: ArchiveSummary = {
    file,
    target: ctx.driver.displayUrl,
    bytes,
    createdAt: manifest.createdAt,
    host: manifest.host,
    appVersion: manifest.appVersion,
    database: manifest.database,
    schemaVersion: manifest.schema.version,
    migrations: manifest.schema.history.length,
    dataDirs: manifest.dataDirs.map((d) => d.name),
    destinations: [],
    unknownMigrations: unknown ?? [],
  };
  // A restore writes only where the operator said: the archive's own record of where a directory came from is
  // shown, never followed, since an archive can be made to say anything.
  const unnamed = manifest.dataDirs.filter((d) => !ctx.config.dataDirs[d.name]);
  if (unnamed.length > 0) {
    const d = unnamed[0];
    throw new MoltError(
      'RESTORE_REFUSED',
      `${file} holds data directory "${d.name}", which the configuration does not name, so molt has nowhere it may restore it`,
      {
        hint: `Name where it goes: --data-dir ${d.name}=PATH (the archive says it was taken from ${d.source}), or "dataDirs" in molt.config.json, or MOLT_DATA_DIRS. Nothing was changed`,
        details: { summary, dataDirs: unnamed.map((u) => u.name) },
      },
    );
  }
  summary.destinations = manifest.dataDirs.map((d) => ({ name: d.name, path: resolve(ctx.config.dataDirs[d.name]) }));
  if (!options.force && (unknown === null || unknown.length > 0)) {
    const message =
      unknown === null
        ? `${file} holds schema ${manifest.schema.version}, and molt cannot read this binary's migrations (${ctx.config.dir}) to check that it is not newer`
        : `${file} is from a newer schema (${manifest.schema.version}): it holds ${unknown.length} migration(s) this binary does not know, the first ${unknown[0]}`;
    throw new MoltError('RESTORE_REFUSED', message, {
      hint:
        'Restore it with the release that wrote it (app version ' +
        (manifest.appVersion ?? 'unknown') +
        '), or pass --force if you are sure',
      details: { summary },
    });
  }
  const go = options.confirm ? await options.confirm(summary) : options.yes === true;
  if (!go) {
    throw new MoltError('RESTORE_REFUSED', `Restore of ${file} into ${ctx.driver.displayUrl} was not confirmed`, {
      hint: options.confirm
        ? 'Nothing was changed'
        : 'Pass --yes (library: yes: true or a confirm callback) to replace the database',
      details: { summary },
    });
  }
  const dataTargets = summary.destinations;
  const dumper = await dumperFor(kind);
  await dumper.preflight(target);
  // Extracted beside the target, on its disk, so the final rename of an SQLite file stays atomic.
  const staging = target.path ? dirname(target.path) : ctx.config.backupDir;
  mkdirSync(staging, { recursive: true });
  // A restore killed while swapping is finished first (its journal says how); then what dead processes left goes.
  const dirs = [...new Set([staging, ctx.config.backupDir, ...dataTargets.map((d) => dirname(d.path))])];
  const finished = (await Promise.all(dirs.map(recoverSwaps))).flat();
  for (const f of finished) ctx.log.info(`finished swapping ${f} into place, which an interrupted restore had begun`);
  const swept = (await Promise.all(dirs.map(sweepLeftovers))).flat();
  for (const l of swept) ctx.log.info(`removed ${l}, left by an interrupted backup or restore`);
  const work = mkdtempSync(join(staging, `.molt-restore-${ownedTag()}-`));
  let outcome: RestoreOutcome | undefined;
  try {
    await extractArchive(file, work, progress, manifest);
    const dump = join(work, manifest.database.dumpPath);
    // Each dumper's restore checks the dump before it touches the target; checking here too would read it twice.
    // The extracted dump is ours to use up: it lies beside the target, so SQLite's can be renamed into place instead of copied.
    // A file-backed database (SQLite) is swapped in together with the data directories, under one journal, so no
    // process killed between two renames can leave the new database beside the old directories.
    let together = false;
    const swap = async (step: SwapStep): Promise<void> => {
      together = true;
      const staged: SwapStep[] = [];
      try {
        for (const d of dataTargets) staged.push(await stageDataDir(join(work, 'data', d.name), d.path));
        await swapTogether(dirname(step.target), [...staged, step]);
      } catch (error) {
        for (const st of staged) rmSync(st.staged, { recursive: true, force: true });
        throw error;
      }
    };
    outcome =
      (await dumper.restore(target, dump, progress, { disposable: true, swap: target.path ? swap : undefined })) ??
      undefined;
    for (const d of together ? [] : dataTargets) {
      try {
        await restoreDataDir(join(work, 'data', d.name), d.path);
      } catch (cause) {
        throw new MoltError(
          'RESTORE_FAILED',
          `The database was restored, but data directory "${d.name}" (${d.path}) was not: ${messageOf(cause)}`,
          {
            cause,
            hint: 'The directory is as it was before; fix the cause and run restore again',
          },
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    summary,
    target: ctx.driver.displayUrl,
    previous: outcome?.previous ?? null,
    notes: [
      ...finished.map((f) => `finished swapping ${f} into place, which an interrupted restore had begun`),
      ...swept.map((l) => `removed ${l}, left by an interrupted backup or restore`),
      ...(outcome?.notes ?? []),
    ],
    dataDirs: dataTargets,
    durationMs: Date.now() - started,
  };
}

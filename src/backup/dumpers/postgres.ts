import { statSync, rmSync } from 'node:fs';
import { MoltError } from '../../errors.js';
import type { DumpTarget, Dumper, Progress } from '../types.js';
import { captureTool, every, postgresPackage, postgresTool, runTool, ToolFailure } from './tools.js';
import { postgresEnv } from './postgres-env.js';
import { restorePostgres } from './postgres-restore.js';
import type { RestoreOutcome } from './staging.js';
import { displayUrl } from '../../config/url.js';

const POLL_MS = 250;

/** The size of a file, or 0 while it does not exist yet. */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Writes a consistent custom-format dump of the target database with pg_dump, reporting the file's size as it grows. */
async function dump(target: DumpTarget, file: string, progress: Progress): Promise<void> {
  const tool = await postgresTool('pg_dump', target.serverVersion);
  // pg_dump reads the whole database in one repeatable-read snapshot: consistent while the service writes.
  const args = ['--format=custom', '--no-password', `--file=${file}`];
  const stop = every(POLL_MS, () => progress({ phase: 'dump', bytes: sizeOf(file) }));
  try {
    await runTool(tool, args, { env: postgresEnv(target.url) });
  } catch (cause) {
    rmSync(file, { force: true });
    throw new MoltError('BACKUP_FAILED', `pg_dump of ${displayUrl(target.url)} failed: ${(cause as Error).message}`, {
      cause,
      hint: "Check that the URL's user may read every table (pg_dump needs SELECT on all of them) and that the disk has room",
    });
  } finally {
    stop();
  }
  progress({ phase: 'dump', bytes: sizeOf(file) });
}

/**
 * Proves a pg_dump archive whole: `pg_restore --list` reads its table of contents, and a full pass to
 * /dev/null reads and decompresses every data block, which is what catches a truncated file (its
 * table of contents sits at the start and survives the cut).
 */
async function check(target: DumpTarget, file: string): Promise<void> {
  const tool = await postgresTool('pg_restore', target.serverVersion);
  const env = postgresEnv(target.url);
  let list: string;
  try {
    list = await captureTool(tool, ['--list', file], env);
    if (!/^;\s+Format: CUSTOM/m.test(list)) throw new Error('it is not a custom-format archive');
    await runTool(tool, ['--file=-', file], { env, stdout: 'ignore' });
  } catch (cause) {
    const why = cause instanceof ToolFailure ? cause.stderr || cause.message : (cause as Error).message;
    if (/unsupported version .* in file header/.test(why)) {
      throw new MoltError(
        'BACKUP_TOOL_MISSING',
        `${file} was written by a newer pg_dump than ${tool.version} can read: ${why}`,
        {
          cause,
          hint: `Install the client tools of the PostgreSQL version that made the backup (apt install postgresql-client-<version>; ${postgresPackage(target.serverVersion)} matches this server)`,
          details: { file, tool: tool.version },
        },
      );
    }
    throw new MoltError('BACKUP_INVALID', `${file} is not a complete pg_dump archive: ${why}`, {
      cause,
      hint: 'The dump is damaged or cut short; nothing was changed. Restore another backup, or take a new one',
      details: { file },
    });
  }
  // An empty database dumps to an archive with no entries, so an empty list is not itself an error.
}

/** Checks pg_dump and pg_restore: both present and no older than the server. Returns pg_dump's version line. */
async function preflight(target: DumpTarget): Promise<string> {
  const dumpTool = await postgresTool('pg_dump', target.serverVersion);
  await postgresTool('pg_restore', target.serverVersion);
  return dumpTool.version;
}

/**
 * Checks the archive, then restores it atomically (see restorePostgres) and says which database, if
 * any, was kept aside as `<name>_molt_before_restore_<time>`.
 */
export async function restorePostgresDatabase(
  target: DumpTarget,
  file: string,
  progress: Progress,
): Promise<RestoreOutcome> {
  await check(target, file);
  return restorePostgres(target, await postgresTool('pg_restore', target.serverVersion), file, progress);
}

/** PostgreSQL: pg_dump custom format, checked with pg_restore, restored into a fresh database then swapped in by renaming. */
export const postgresDumper: Dumper = {
  format: 'pg_dump-custom',
  fileName: 'db.pgdump',
  preflight,
  dump,
  check,
  restore: (target, file, progress) => restorePostgresDatabase(target, file, progress),
};

export type { RestoreOutcome } from './staging.js';

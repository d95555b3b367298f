import { statSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { MoltError } from '../../errors.js';
import { parseMysqlUrl } from '../../drivers/mysql/mysql-url.js';
import type { DumpTarget, Dumper, Progress } from '../types.js';
import { every, isMariadb, mysqlTool, runTool, type Tool } from './tools.js';
import { optionFileText, withOptionFile } from './mysql-options.js';
import { restoreMysql } from './mysql-restore.js';
import type { RestoreOutcome } from './staging.js';
import { displayUrl } from '../../config/url.js';

const POLL_MS = 250;
const EDGE_BYTES = 4_096;

/**
 * The mysqldump arguments after `--defaults-file`: one consistent InnoDB snapshot
 * (`--single-transaction`, which also turns off --lock-tables), every object kind, binary data as
 * hex so no client charset can mangle it, and the comments that carry the header and the
 * "Dump completed" trailer check() relies on.
 */
export function mysqldumpArgs(tool: Tool, serverVersion: string, database: string, file: string): string[] {
  const args = [
    '--single-transaction',
    '--skip-lock-tables',
    '--quick',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
    '--comments',
    '--tz-utc',
    `--result-file=${file}`,
  ];
  if (!isMariadb(tool.version)) {
    // A GTID_PURGED line would make the dump fail to load on any server that already has GTIDs.
    args.push('--set-gtid-purged=OFF');
    // MySQL 8's mysqldump asks for column statistics MariaDB does not have; `loose-` keeps 5.7's quiet.
    if (isMariadb(serverVersion)) args.push('--loose-column-statistics=0');
  }
  return [...args, '--', database];
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Dumps the target database with mariadb-dump or mysqldump, the credentials in a 0600 option file. */
async function dump(target: DumpTarget, file: string, progress: Progress): Promise<void> {
  const tool = await mysqlTool('dump', target.serverVersion);
  const parsed = parseMysqlUrl(target.url);
  const stop = every(POLL_MS, () => progress({ phase: 'dump', bytes: sizeOf(file) }));
  try {
    await withOptionFile(optionFileText(parsed, target.url, isMariadb(tool.version)), (options) =>
      runTool(
        tool,
        [`--defaults-file=${options}`, ...mysqldumpArgs(tool, target.serverVersion, parsed.database, file)],
        { env: process.env },
      ),
    );
  } catch (cause) {
    await rm(file, { force: true });
    throw new MoltError(
      'BACKUP_FAILED',
      `${tool.name} of ${displayUrl(target.url)} failed: ${(cause as Error).message}`,
      {
        cause,
        hint: "Check that the URL's user may read every table, view, routine, trigger and event (SELECT, SHOW VIEW, TRIGGER, EVENT, and SHOW ROUTINE or SELECT on mysql.proc), and that the disk has room",
      },
    );
  } finally {
    stop();
  }
  progress({ phase: 'dump', bytes: sizeOf(file) });
}

/** The first and last few KB of a file: a dump's header and trailer, without reading the rest. */
async function edges(file: string): Promise<{ head: string; tail: string }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return { head: head.toString('utf8'), tail: tail.toString('utf8') };
  } finally {
    await handle.close();
  }
}

/**
 * Proves a SQL dump complete: mysqldump writes its header first and "-- Dump completed" as its very
 * last line only when it finished, so a dump cut short or a file of something else fails here.
 */
async function check(_target: DumpTarget, file: string): Promise<void> {
  let why: string | undefined;
  try {
    const { head, tail } = await edges(file);
    const last = tail.trimEnd().split('\n').pop() ?? '';
    if (!/^-- (MariaDB|MySQL) dump \d/m.test(head)) why = 'it does not start with a mysqldump or mariadb-dump header';
    else if (!last.startsWith('-- Dump completed'))
      why = 'it does not end with the "-- Dump completed" line, so the dump was cut short or failed';
  } catch (cause) {
    why = (cause as Error).message;
  }
  if (why) {
    throw new MoltError('BACKUP_INVALID', `${file} is not a complete MySQL dump: ${why}`, {
      hint: 'The dump is damaged or cut short; nothing was changed. Restore another backup, or take a new one',
      details: { file },
    });
  }
}

/** Checks the dump tool and the client are present; returns the dump tool's version line. */
async function preflight(target: DumpTarget): Promise<string> {
  const tool = await mysqlTool('dump', target.serverVersion);
  await mysqlTool('client', target.serverVersion);
  return tool.version;
}

/**
 * Checks the dump, then restores it atomically (see restoreMysql) and says which database, if any,
 * was kept aside as `<name>_molt_before_restore_<time>`.
 */
export async function restoreMysqlDatabase(
  target: DumpTarget,
  file: string,
  progress: Progress,
): Promise<RestoreOutcome> {
  await check(target, file);
  return restoreMysql(target, await mysqlTool('client', target.serverVersion), file, progress);
}

/** MySQL and MariaDB: a mysqldump SQL file, restored into a fresh database whose tables one RENAME TABLE swaps in. */
export const mysqlDumper: Dumper = {
  format: 'mysql-dump-sql',
  fileName: 'db.sql',
  // A text dump shrinks several times at gzip's fastest level.
  archiveLevel: 1,
  preflight,
  dump,
  check,
  restore: (target, file, progress) => restoreMysqlDatabase(target, file, progress),
};

export type { RestoreOutcome } from './staging.js';

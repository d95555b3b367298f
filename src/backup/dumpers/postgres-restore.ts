import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MoltError, messageOf } from '../../errors.js';
import { connectToServer } from '../../drivers/index.js';
import { createPostgresDriver } from '../../drivers/postgres/index.js';
import type { Session } from '../../drivers/types.js';
import type { DumpTarget, Progress } from '../types.js';
import { captureTool, every, runTool, type Tool } from './tools.js';
import { dbnameConninfo, parsePostgresUrl, postgresEnv, quoteIdent } from './postgres-env.js';
import { databaseStatements } from './postgres-database-sql.js';
import { staleFreshDatabases, stagingName, stamp, type RestoreOutcome } from './staging.js';
import { redactUrl, withDatabase, displayUrl } from '../../config/url.js';

const NAME_BYTES = 63;

async function otherSessions(admin: Session, database: string): Promise<number> {
  const rows = await admin.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    [database],
  );
  return Number(rows[0].n);
}

function sessionsError(database: string, n: number, url: string): MoltError {
  return new MoltError(
    'RESTORE_FAILED',
    `${n} other session(s) are connected to database "${database}" (${displayUrl(url)}); the restore swaps databases by renaming, which needs them gone. Nothing was changed`,
    {
      hint: `Stop the service (and any psql) using "${database}", then restore again; to end them: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database.replace(/'/g, "''")}'`,
      details: { database, sessions: n },
    },
  );
}

/** True when a database holds anything a user made: relations, functions, types, extra schemas or extensions. */
async function holdsObjects(url: string, database: string): Promise<boolean> {
  const session = await createPostgresDriver(withDatabase(url, database)).connect();
  try {
    const user =
      "NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
    const [row] = await session.query<{ used: boolean }>(`SELECT
      EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ${user})
      OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname ${user})
      OR EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname ${user})
      OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname <> 'public' AND n.nspname ${user} AND n.nspname NOT LIKE 'pg\\_%')
      OR EXISTS (SELECT 1 FROM pg_extension WHERE extname <> 'plpgsql')
      OR EXISTS (SELECT 1 FROM pg_largeobject_metadata) AS used`);
    return row.used;
  } finally {
    await session.close();
  }
}

/** Bytes a process has read so far (Linux /proc), or undefined where that cannot be seen. */
function bytesRead(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^rchar:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The database-level statements of the archive (CREATE DATABASE with its encoding and locale, owner, settings, comment, grants). */
async function archiveDatabaseSql(
  tool: Tool,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ dbname: string; text: string }> {
  const list = await captureTool(tool, ['--create', '--list', file], env);
  const dbname = /^;\s+dbname: (.*)$/m.exec(list)?.[1] ?? '';
  const entries = list
    .split('\n')
    .filter((line) => /^\d+; \d+ \d+ (DATABASE -|DATABASE PROPERTIES -|[A-Z ]+ - DATABASE )/.test(line));
  if (entries.length === 0) return { dbname, text: '' };
  const dir = mkdtempSync(join(tmpdir(), 'molt-pglist-'));
  try {
    writeFileSync(join(dir, 'list'), `${entries.join('\n')}\n`);
    return {
      dbname,
      text: await captureTool(tool, ['--create', `--use-list=${join(dir, 'list')}`, '--file=-', file], env),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Restores a checked pg_dump archive atomically: pg_restore fills a fresh database
 * `<name>_molt_restore_<time>` in one transaction, and only then one transaction renames the target
 * to `<name>_molt_before_restore_<time>` and the fresh database to the target's name. Until that
 * commit the target is untouched; on any failure the fresh database is dropped.
 */
export async function restorePostgres(
  target: DumpTarget,
  tool: Tool,
  file: string,
  progress: Progress,
): Promise<RestoreOutcome> {
  const parsed = parsePostgresUrl(target.url);
  const name = parsed.database ?? process.env.PGDATABASE ?? parsed.user ?? process.env.PGUSER ?? userInfo().username;
  const display = displayUrl(target.url);
  const time = stamp();
  const fresh = stagingName(name, `_molt_restore_${time}`, NAME_BYTES);
  const before = stagingName(name, `_molt_before_restore_${time}`, NAME_BYTES);
  const admin = await connectToServer(target.url);
  let created = false;
  const notes: string[] = [];
  try {
    // What an interrupted restore of this database left: a fresh copy nobody uses any more.
    const all = (await admin.query<{ datname: string }>('SELECT datname FROM pg_database')).map((r) => r.datname);
    for (const stale of staleFreshDatabases(all, name)) {
      if ((await otherSessions(admin, stale)) > 0) continue;
      await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(stale)}`);
      notes.push(`dropped database "${stale}", left by an interrupted restore`);
    }
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
    if (exists) {
      const n = await otherSessions(admin, name);
      if (n > 0) throw sessionsError(name, n, target.url);
    }
    const env = postgresEnv(target.url, fresh);
    const archive = await archiveDatabaseSql(tool, file, env);
    const sql = databaseStatements(archive.text, fresh);
    await admin.exec(sql.create ?? `CREATE DATABASE ${quoteIdent(fresh)} TEMPLATE template0`);
    created = true;
    for (const statement of sql.owner) await admin.exec(statement);

    const total = statSync(file).size;
    let pid: number | undefined;
    progress({ phase: 'restore', bytes: 0, total });
    const stop = every(250, () => {
      const read = bytesRead(pid);
      if (read !== undefined) progress({ phase: 'restore', bytes: Math.min(read, total), total });
    });
    try {
      await runTool(
        tool,
        ['--single-transaction', '--exit-on-error', '--no-password', `--dbname=${dbnameConninfo(fresh)}`, file],
        {
          env,
          onSpawn: (child) => void (pid = child.pid),
        },
      );
    } catch (cause) {
      throw new MoltError(
        'RESTORE_FAILED',
        `pg_restore of ${file} into ${display} failed, so nothing was changed: ${messageOf(cause)}`,
        {
          cause,
          hint: 'If it names a missing role, create that role first (the backup keeps owners and grants) or restore as a superuser',
        },
      );
    } finally {
      stop();
    }
    progress({ phase: 'restore', bytes: total, total });
    for (const statement of sql.properties) await admin.exec(statement);

    if (exists) {
      const n = await otherSessions(admin, name);
      if (n > 0) throw sessionsError(name, n, target.url);
    }
    try {
      await admin.begin();
      if (exists) await admin.exec(`ALTER DATABASE ${quoteIdent(name)} RENAME TO ${quoteIdent(before)}`);
      await admin.exec(`ALTER DATABASE ${quoteIdent(fresh)} RENAME TO ${quoteIdent(name)}`);
      await admin.commit();
    } catch (cause) {
      await admin.rollback().catch(() => undefined);
      throw new MoltError(
        'RESTORE_FAILED',
        `Swapping the restored database into "${name}" (${display}) failed, so nothing was changed: ${messageOf(cause)}`,
        {
          cause,
          hint: 'The restoring role needs CREATEDB and must own the target database (or be a superuser), and no session may use the target',
        },
      );
    }
    created = false;
    let previous: string | null = exists ? before : null;
    if (previous && !(await holdsObjects(target.url, previous).catch(() => true))) {
      // An empty database kept aside is clutter with nothing to recover.
      await admin.exec(`DROP DATABASE ${quoteIdent(previous)}`).then(
        () => void (previous = null),
        () => undefined,
      );
    }
    return { database: name, previous, notes };
  } catch (error) {
    if (error instanceof MoltError) throw error;
    throw new MoltError(
      'RESTORE_FAILED',
      `Restoring ${file} into ${display} failed, so nothing was changed: ${redactUrl(messageOf(error))}`,
      {
        cause: error,
        hint: 'The restoring role needs CREATEDB and must own the target database (or be a superuser); the server needs the locale the backup was made with',
      },
    );
  } finally {
    if (created) await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(fresh)}`).catch(() => undefined);
    await admin.close();
  }
}

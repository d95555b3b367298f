import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import mysql from 'mysql2/promise';
import { MoltError, messageOf } from '../../errors.js';
import { parseMysqlUrl, type MysqlTarget } from '../../drivers/mysql/mysql-url.js';
import { connectFailure } from '../../drivers/mysql/mysql-errors.js';
import type { DumpTarget, Progress } from '../types.js';
import { isMariadb, runTool, type Tool } from './tools.js';
import { optionFileText, withOptionFile } from './mysql-options.js';
import {
  createObjects,
  dropObjects,
  quoteName,
  readContents,
  type DatabaseContents,
  type SchemaObject,
} from './mysql-objects.js';
import { staleFreshDatabases, stagingName, stamp, type RestoreOutcome } from './staging.js';
import { redactUrl, displayUrl } from '../../config/url.js';

const NAME_BYTES = 64;
const SANDBOX_LINE = /^\/\*M?!999999\\- enable the sandbox mode \*\/[^\n]*\n/;
/** Seconds the swap waits for a metadata lock before it gives up (and rolls back). */
const LOCK_WAIT_S = 60;

async function adminConnection(t: MysqlTarget, url: string): Promise<mysql.Connection> {
  try {
    const conn = await mysql.createConnection({
      host: t.host,
      port: t.port,
      socketPath: t.socketPath,
      user: t.user,
      password: t.password,
      ssl: t.ssl,
      connectTimeout: t.connectTimeoutMs,
      charset: 'utf8mb4',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    conn.on('error', () => undefined);
    await conn.query(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_S}`);
    return conn;
  } catch (cause) {
    throw connectFailure(cause, t, displayUrl(url));
  }
}

async function one(
  conn: mysql.Connection,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown> | undefined> {
  const [rows] = await conn.query(sql, params);
  return (rows as Record<string, unknown>[])[0];
}

async function otherSessions(conn: mysql.Connection, db: string): Promise<number> {
  const row = await one(
    conn,
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
    [db],
  );
  return Number(row?.n ?? 0);
}

function refuseSessions(db: string, n: number, url: string): MoltError {
  return new MoltError(
    'RESTORE_FAILED',
    `${n} other session(s) are using database \`${db}\` (${displayUrl(url)}); the restore swaps its tables and recreates its views, triggers and routines, which must not happen under a running service. Nothing was changed`,
    {
      hint: `Stop the service (and any client) using \`${db}\`, then restore again; SHOW PROCESSLIST lists them`,
      details: { database: db, sessions: n },
    },
  );
}

/** The length of the MariaDB sandbox first line, which MySQL's own client refuses; 0 when absent or harmless. */
async function sandboxPrefix(file: string, client: Tool): Promise<number> {
  if (isMariadb(client.version)) return 0;
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const m = SANDBOX_LINE.exec(head.subarray(0, bytesRead).toString('latin1'));
    return m ? m[0].length : 0;
  } finally {
    await handle.close();
  }
}

/** Pipes the dump file into the client with `fresh` as its database, counting bytes for progress. */
async function load(
  client: Tool,
  target: MysqlTarget,
  url: string,
  fresh: string,
  file: string,
  progress: Progress,
): Promise<void> {
  const total = statSync(file).size;
  const skip = await sandboxPrefix(file, client);
  let bytes = skip;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (Date.now() - last >= 250) {
        last = Date.now();
        progress({ phase: 'restore', bytes, total });
      }
      done(null, chunk);
    },
  });
  progress({ phase: 'restore', bytes: 0, total });
  const input = createReadStream(file, { start: skip }).pipe(counter);
  await withOptionFile(optionFileText(target, url, isMariadb(client.version)), (options) =>
    runTool(
      client,
      [
        `--defaults-file=${options}`,
        '--batch',
        '--binary-mode',
        '--default-character-set=utf8mb4',
        `--database=${fresh}`,
      ],
      {
        env: process.env,
        stdin: input,
      },
    ),
  );
  progress({ phase: 'restore', bytes: total, total });
}

function renameAll(moves: [string, string, string][]): string {
  return `RENAME TABLE ${moves.map(([from, to, t]) => `${quoteName(from)}.${quoteName(t)} TO ${quoteName(to)}.${quoteName(t)}`).join(', ')}`;
}

const movesWithTable = (kinds: SchemaObject[]): SchemaObject[] =>
  kinds.filter((o) => o.kind === 'TRIGGER' || o.kind === 'VIEW');
const livesInDatabase = (kinds: SchemaObject[]): SchemaObject[] =>
  kinds.filter((o) => o.kind !== 'TRIGGER' && o.kind !== 'VIEW');

/**
 * Restores a checked dump. The client loads it into a fresh database `<name>_molt_restore_<time>`
 * (a failure there drops it and leaves the target untouched). Then one multi-table RENAME TABLE,
 * atomic on the server, moves the target's tables aside into `<name>_molt_before_restore_<time>`
 * and the fresh tables into the target; the target's views, triggers, routines and events are
 * replaced by the backup's around that statement. A failure after the first change is rolled back.
 */
export async function restoreMysql(
  target: DumpTarget,
  client: Tool,
  file: string,
  progress: Progress,
): Promise<RestoreOutcome> {
  const t = parseMysqlUrl(target.url);
  const name = t.database;
  const display = displayUrl(target.url);
  const time = stamp();
  const fresh = stagingName(name, `_molt_restore_${time}`, NAME_BYTES);
  const before = stagingName(name, `_molt_before_restore_${time}`, NAME_BYTES);
  const conn = await adminConnection(t, target.url);
  const notes: string[] = [];
  let made: string[] = [];
  try {
    // What an interrupted restore of this database left: a fresh copy nobody uses any more.
    const [schemata] = await conn.query('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA');
    for (const stale of staleFreshDatabases(
      (schemata as { s: string }[]).map((r) => String(r.s)),
      name,
    )) {
      if ((await otherSessions(conn, stale)) > 0) continue;
      await conn.query(`DROP DATABASE IF EXISTS ${quoteName(stale)}`);
      notes.push(`dropped database \`${stale}\`, left by an interrupted restore`);
    }
    const schema = await one(
      conn,
      'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    );
    const charset = schema ? ` CHARACTER SET ${String(schema.cs)} COLLATE ${String(schema.co)}` : '';
    if (schema) {
      const n = await otherSessions(conn, name);
      if (n > 0) throw refuseSessions(name, n, target.url);
    }
    await conn.query(`CREATE DATABASE ${quoteName(fresh)}${charset}`);
    made.push(fresh);
    try {
      await load(client, t, target.url, fresh, file, progress);
    } catch (cause) {
      throw new MoltError(
        'RESTORE_FAILED',
        `Loading ${file} into a fresh database for ${display} failed, so nothing was changed: ${messageOf(cause)}`,
        {
          cause,
          hint: 'If it names a definer or a privilege, restore as a user that may create objects for that definer (the backup keeps DEFINER clauses)',
        },
      );
    }
    const incoming = await readContents(conn, fresh);
    // The fresh copies are not needed (they are rebuilt in the target), and an event must not fire in fresh.
    await dropObjects(conn, fresh, incoming.objects);
    const old: DatabaseContents = schema ? await readContents(conn, name) : { tables: [], objects: [] };
    const keepAside = old.tables.length + old.objects.length > 0;
    if (schema) {
      const n = await otherSessions(conn, name);
      if (n > 0) throw refuseSessions(name, n, target.url);
    } else {
      await conn.query(`CREATE DATABASE ${quoteName(name)}${charset}`);
      made.push(name);
    }
    if (keepAside) {
      await conn.query(
        `CREATE DATABASE ${quoteName(before)} CHARACTER SET ${String(schema!.cs)} COLLATE ${String(schema!.co)}`,
      );
      made.push(before);
    }
    try {
      await swap(conn, { name, fresh, before, old, incoming, display });
    } catch (error) {
      // Tables may sit in the staging databases now: keep them for the operator rather than drop data.
      if (error instanceof MoltError && error.details.rollbackFailed) made = [];
      throw error;
    }
    made = made.filter((db) => db === fresh);
    if (keepAside) {
      try {
        await createObjects(conn, before, old.objects);
        // The copy is for the operator to look at; its events must not go on changing it.
        for (const e of old.objects.filter((o) => o.kind === 'EVENT'))
          await conn.query(`ALTER EVENT ${quoteName(before)}.${quoteName(e.name)} DISABLE`);
      } catch (error) {
        notes.push(
          `The old views, triggers, routines and events could not all be copied into \`${before}\`: ${messageOf(error)}`,
        );
      }
    }
    return { database: name, previous: keepAside ? before : null, notes };
  } catch (error) {
    // Every step after the first change to the target reports its own MoltError; anything else came before it.
    if (error instanceof MoltError) throw error;
    throw new MoltError(
      'RESTORE_FAILED',
      `Restoring ${file} into ${display} failed, so nothing was changed: ${redactUrl(messageOf(error))}`,
      {
        cause: error,
        hint: `The restoring user needs CREATE and DROP on \`${name}\` and on the staging databases (GRANT ALL ON \`${name.replace(/_/g, '\\_')}\\_molt\\_%\`.* TO ...), and the privileges to read and create its views, triggers, routines and events`,
      },
    );
  } finally {
    for (const db of made.reverse()) {
      // Only the fresh database may go with tables in it; any other one made here is dropped only if empty.
      const holds =
        db !== fresh &&
        (await one(conn, 'SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? LIMIT 1', [db]).catch(
          () => ({}),
        ));
      if (!holds) await conn.query(`DROP DATABASE IF EXISTS ${quoteName(db)}`).catch(() => undefined);
    }
    await conn.end().catch(() => conn.destroy());
  }
}

interface SwapPlan {
  name: string;
  fresh: string;
  before: string;
  old: DatabaseContents;
  incoming: DatabaseContents;
  display: string;
}

/** Swaps the tables with one RENAME TABLE and rebuilds the objects; puts the target back as it was on any failure. */
async function swap(conn: mysql.Connection, p: SwapPlan): Promise<void> {
  const out: [string, string, string][] = p.old.tables.map((tb) => [p.name, p.before, tb]);
  const into: [string, string, string][] = p.incoming.tables.map((tb) => [p.fresh, p.name, tb]);
  let swapped = false;
  try {
    // Triggers cannot leave their database with their table, and a view may share a name with an incoming table.
    await dropObjects(conn, p.name, movesWithTable(p.old.objects));
    if (out.length + into.length > 0) await conn.query(renameAll([...out, ...into]));
    swapped = true;
    await dropObjects(conn, p.name, livesInDatabase(p.old.objects));
    await createObjects(conn, p.name, p.incoming.objects);
  } catch (cause) {
    let rollback = 'the target was put back as it was';
    let rollbackFailed = false;
    try {
      await dropObjects(conn, p.name, (await readContents(conn, p.name)).objects);
      if (swapped && out.length + into.length > 0) {
        await conn.query(
          renameAll([
            ...into.map(([a, b, tb]): [string, string, string] => [b, a, tb]),
            ...out.map(([a, b, tb]): [string, string, string] => [b, a, tb]),
          ]),
        );
      }
      await createObjects(conn, p.name, p.old.objects);
    } catch (again) {
      rollbackFailed = true;
      rollback = `putting the target back failed too (${messageOf(again)}): its old tables may be in \`${p.before}\` and the restored ones in \`${p.fresh}\``;
    }
    throw new MoltError(
      'RESTORE_FAILED',
      `Swapping the restored tables into \`${p.name}\` (${p.display}) failed, and ${rollback}: ${messageOf(cause)}`,
      {
        cause,
        hint: "The restoring user needs CREATE, DROP, ALTER and the privileges to create the backup's views, triggers, routines and events; and no session may hold a lock on the target's tables",
        details: { database: p.name, fresh: p.fresh, before: p.before, rollbackFailed },
      },
    );
  }
}

import type { Connection } from 'mysql2/promise';

/** A MySQL identifier in backticks. */
export function quoteName(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** The kinds of schema object that live in a database but are not tables RENAME TABLE can move. */
export type ObjectKind = 'VIEW' | 'TRIGGER' | 'PROCEDURE' | 'FUNCTION' | 'PACKAGE' | 'PACKAGE BODY' | 'EVENT';

/** One view, trigger, routine or event as SHOW CREATE gives it, with the session settings it was made under. */
export interface SchemaObject {
  kind: ObjectKind;
  name: string;
  /** The CREATE statement, names unqualified where they are in the object's own database. */
  create: string;
  sqlMode: string;
  charsetClient: string;
  collationConnection: string;
  timeZone?: string;
}

/** What a database holds: tables (base tables, sequences) that RENAME TABLE moves, and the objects it cannot. */
export interface DatabaseContents {
  tables: string[];
  objects: SchemaObject[];
}

type Row = Record<string, unknown>;

async function rows(conn: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [result] = await conn.query(sql, params);
  return result as Row[];
}

/** Creation order: routines before the views that call them, views before triggers, events last. */
const ORDER: ObjectKind[] = ['PACKAGE', 'PACKAGE BODY', 'FUNCTION', 'PROCEDURE', 'VIEW', 'TRIGGER', 'EVENT'];

/** Reads every table name and the definition of every other object in `db`; leaves `db` the session's current database. */
export async function readContents(conn: Connection, db: string): Promise<DatabaseContents> {
  await conn.query(`USE ${quoteName(db)}`);
  const tables = await rows(
    conn,
    'SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [db],
  );
  const names: { kind: ObjectKind; name: string }[] = [];
  for (const t of tables) if (t.t === 'VIEW') names.push({ kind: 'VIEW', name: String(t.n) });
  // Several triggers on one table and event fire in ACTION_ORDER; creating them in that order keeps it.
  for (const t of await rows(
    conn,
    'SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER',
    [db],
  )) {
    names.push({ kind: 'TRIGGER', name: String(t.n) });
  }
  for (const r of await rows(
    conn,
    'SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME',
    [db],
  )) {
    names.push({ kind: String(r.t) as ObjectKind, name: String(r.n) });
  }
  for (const e of await rows(
    conn,
    'SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME',
    [db],
  )) {
    names.push({ kind: 'EVENT', name: String(e.n) });
  }
  const objects: SchemaObject[] = [];
  for (const { kind, name } of names) {
    // With `db` current, SHOW CREATE leaves the database out of names inside it, as mysqldump relies on.
    const [row] = await rows(conn, `SHOW CREATE ${kind} ${quoteName(name)}`);
    const createKey = Object.keys(row).find((k) => k.startsWith('Create ') || k === 'SQL Original Statement');
    const create = createKey ? row[createKey] : null;
    if (typeof create !== 'string')
      throw new Error(
        `SHOW CREATE ${kind} ${db}.${name} returned no definition; the user needs the privileges to read it`,
      );
    objects.push({
      kind,
      name,
      create,
      sqlMode: String(row.sql_mode ?? ''),
      charsetClient: String(row.character_set_client),
      collationConnection: String(row.collation_connection),
      ...(row.time_zone !== undefined ? { timeZone: String(row.time_zone) } : {}),
    });
  }
  objects.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return { tables: tables.filter((t) => t.t !== 'VIEW').map((t) => String(t.n)), objects };
}

/** Drops the given objects from `db` (views and triggers included, tables not). */
export async function dropObjects(conn: Connection, db: string, objects: readonly SchemaObject[]): Promise<void> {
  for (const o of [...objects].reverse()) {
    await conn.query(`DROP ${o.kind} IF EXISTS ${quoteName(db)}.${quoteName(o.name)}`);
  }
}

/**
 * Creates the objects in `db` under the session settings each was defined with (sql_mode, time
 * zone, connection collation), as mysqldump does. Views that depend on views not made yet are
 * retried until a round makes none.
 */
export async function createObjects(conn: Connection, db: string, objects: readonly SchemaObject[]): Promise<void> {
  await conn.query(`USE ${quoteName(db)}`);
  const [saved] = await rows(
    conn,
    'SELECT @@SESSION.sql_mode AS m, @@SESSION.time_zone AS z, @@SESSION.character_set_client AS c, @@SESSION.collation_connection AS k',
  );
  const word = (v: unknown): string => {
    // Charset and collation names go into SET as words, so only plain names pass.
    if (!/^\w+$/.test(String(v))) throw new Error(`unexpected character set or collation name "${String(v)}"`);
    return String(v);
  };
  const create = async (o: SchemaObject): Promise<void> => {
    // The statement travels as UTF-8: another client charset would misread non-ASCII text in it.
    const charset =
      /^utf8/.test(o.charsetClient) || /^[\x00-\x7f]*$/.test(o.create) ? o.charsetClient : String(saved.c);
    await conn.query('SET SESSION sql_mode = ?, SESSION time_zone = ?', [o.sqlMode, o.timeZone ?? saved.z]);
    await conn.query(
      `SET SESSION character_set_client = ${word(charset)}, SESSION collation_connection = ${word(o.collationConnection)}`,
    );
    try {
      await conn.query(o.create);
    } finally {
      await conn.query(
        `SET SESSION character_set_client = ${word(saved.c)}, SESSION collation_connection = ${word(saved.k)}`,
      );
      await conn.query('SET SESSION sql_mode = ?, SESSION time_zone = ?', [saved.m, saved.z]);
    }
  };
  let pending = objects.filter((o) => o.kind === 'VIEW');
  for (const o of objects.filter((x) => ORDER.indexOf(x.kind) < ORDER.indexOf('VIEW'))) await create(o);
  while (pending.length > 0) {
    const failed: SchemaObject[] = [];
    let lastError: unknown;
    for (const v of pending) {
      try {
        await create(v);
      } catch (error) {
        failed.push(v);
        lastError = error;
      }
    }
    if (failed.length === pending.length) throw lastError;
    pending = failed;
  }
  for (const o of objects.filter((x) => ORDER.indexOf(x.kind) > ORDER.indexOf('VIEW'))) await create(o);
}

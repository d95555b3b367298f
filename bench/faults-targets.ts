// How the fault suite reaches each database: making one, reading it, dumping its schema, and finding and
// ending molt's sessions from the server side. Everything that differs by database lives in this table.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  MYSQL_ADMIN_URL,
  PG_ADMIN_URL,
  type TestDatabase,
} from '../test/helpers/databases.js';
import { mysqlSchemaDump, schemaDump } from '../test/helpers/floors.js';
import type { FaultKind } from './faults-sets.js';

/** One connection to a trial database, for reading after the kill and for the checks. */
export interface Reader {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A molt session the server sees: its id, what it is doing and its SQL (current, or last when idle). */
export interface ServerSession {
  id: string;
  state: string;
  query: string;
}

/** One admin connection to a server, kept for a whole run so that a kill costs one round trip, not a connect. */
export interface ServerAdmin {
  /** molt's sessions on database `name`. */
  sessions(name: string): Promise<ServerSession[]>;
  /** Ends one session from the server side; a session already gone is not an error. */
  kill(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Everything the suite needs to know about one database kind. */
export interface FaultTarget {
  kind: FaultKind;
  label: string;
  create(): Promise<TestDatabase>;
  open(db: TestDatabase): Promise<Reader>;
  /** The schema as text, without molt's own tables, in a form two equal schemas share byte for byte. */
  schema(db: TestDatabase): Promise<string>;
  /** The server-side kill, or null where there is no server (SQLite). */
  admin: (() => Promise<ServerAdmin>) | null;
  /** The name the server knows the database by. */
  nameOf(db: TestDatabase): string;
  /** Where there is no server to ask: whether some process holds the database's write lock right now. */
  writing: ((db: TestDatabase) => boolean) | null;
}

const urlName = (db: TestDatabase): string => new URL(db.url).pathname.slice(1);
const sqlitePath = (db: TestDatabase): string => db.url.slice('sqlite:'.length);

async function pgReader(url: string): Promise<Reader> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return { query: async (sql) => (await client.query(sql)).rows, close: () => client.end().catch(() => undefined) };
}

async function mysqlConnection(url: string): Promise<mysql.Connection> {
  const u = new URL(url);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1),
    timezone: 'Z',
  });
  conn.on('error', () => undefined);
  return conn;
}

async function mysqlReader(url: string): Promise<Reader> {
  const conn = await mysqlConnection(url);
  return {
    query: async (sql) => {
      const [rows] = await conn.query(sql);
      return (Array.isArray(rows) ? rows : []) as Record<string, unknown>[];
    },
    close: () => conn.end().catch(() => undefined),
  };
}

/** True while another connection holds SQLite's write lock: BEGIN IMMEDIATE with no wait is refused (any journal mode). */
function sqliteWriting(path: string): boolean {
  // Killed before molt made the file: nothing can be writing it.
  if (!existsSync(path)) return false;
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    if (/^SQLITE_BUSY/.test((error as { code?: string }).code ?? '')) return true;
    throw error;
  } finally {
    db.close();
  }
}

/** Opening the file after a kill rolls back its hot journal, as any next opener (molt included) would. */
async function sqliteReader(path: string): Promise<Reader> {
  const db = new Database(path, { fileMustExist: false });
  return {
    query: async (sql) => {
      const stmt = db.prepare(sql);
      return (stmt.reader ? stmt.all() : (stmt.run(), [])) as Record<string, unknown>[];
    },
    close: async () => void db.close(),
  };
}

/** pg_stat_activity keeps a terminated backend's row until it exits, so "gone" means the row is gone. */
async function postgresAdmin(): Promise<ServerAdmin> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  return {
    sessions: async (name) =>
      (
        await client.query(
          `SELECT pid::text AS id, coalesce(state, '') AS state, left(query, 300) AS query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'molt'`,
          [name],
        )
      ).rows,
    kill: async (id) => void (await client.query('SELECT pg_terminate_backend($1::int)', [Number(id)])),
    close: () => client.end().catch(() => undefined),
  };
}

/**
 * MariaDB has no application name here, so molt's sessions are all sessions on the trial database other
 * than this one: nothing else connects to it while molt runs.
 */
async function mysqlAdminSessions(): Promise<ServerAdmin> {
  const conn = await mysqlConnection(MYSQL_ADMIN_URL);
  return {
    sessions: async (name) => {
      const [rows] = await conn.query(
        "SELECT CAST(id AS CHAR) AS id, command AS state, LEFT(COALESCE(info, ''), 300) AS query FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
        [name],
      );
      return rows as ServerSession[];
    },
    kill: async (id) => {
      await conn.query(`KILL CONNECTION ${Number(id)}`).catch((error: { errno?: number }) => {
        if (error.errno !== 1094) throw error; // ER_NO_SUCH_THREAD: it ended by itself meanwhile
      });
    },
    close: () => conn.end().catch(() => undefined),
  };
}

const sqliteSchema = async (db: TestDatabase): Promise<string> => {
  const reader = await sqliteReader(sqlitePath(db));
  try {
    const rows = await reader.query(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '\\_molt%' ESCAPE '\\' ORDER BY type, name",
    );
    return rows.map((r) => `${r.type} ${r.name} on ${r.tbl_name}: ${r.sql ?? '(automatic)'}`).join('\n');
  } finally {
    await reader.close();
  }
};

/** The three databases, in the order the suite runs them. */
export const FAULT_TARGETS: FaultTarget[] = [
  {
    kind: 'sqlite',
    label: 'SQLite',
    create: createSqliteDatabase,
    open: (db) => sqliteReader(sqlitePath(db)),
    schema: sqliteSchema,
    admin: null,
    nameOf: sqlitePath,
    writing: (db) => sqliteWriting(sqlitePath(db)),
  },
  {
    kind: 'postgres',
    label: 'PostgreSQL',
    create: createPostgresDatabase,
    open: (db) => pgReader(db.url),
    schema: async (db) => schemaDump(db.url),
    admin: postgresAdmin,
    nameOf: urlName,
    writing: null,
  },
  {
    kind: 'mysql',
    label: 'MariaDB',
    create: createMysqlDatabase,
    open: (db) => mysqlReader(db.url),
    schema: async (db) => mysqlSchemaDump(db.url),
    admin: mysqlAdminSessions,
    nameOf: urlName,
    writing: null,
  },
];

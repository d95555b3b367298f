import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** The PostgreSQL server the tests use; CI and developers share it, so every test makes its own database. */
export const PG_ADMIN_URL = process.env.MOLT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The MariaDB (or MySQL) server the tests use, shared like the PostgreSQL one. */
export const MYSQL_ADMIN_URL = process.env.MOLT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** A database made for one test, and how to drop it. */
export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'postgres' | 'mysql';
  drop(): Promise<void>;
}

let counter = 0;
const uniqueName = (): string => `molt_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;

/** Runs SQL against the admin database. */
export async function pgAdmin<T = unknown>(sql: string, params: unknown[] = [], url = PG_ADMIN_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Creates an empty PostgreSQL database with a unique name. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = uniqueName();
  await pgAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    drop: async () => {
      await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Runs SQL (several statements allowed) against a MySQL database, by default the admin one. */
export async function mysqlAdmin<T = unknown>(
  sql: string,
  params: unknown[] = [],
  url = MYSQL_ADMIN_URL,
): Promise<T[]> {
  const u = new URL(url);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1),
    multipleStatements: true,
    timezone: 'Z',
  });
  try {
    const [rows] = await conn.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as T[];
  } finally {
    await conn.end();
  }
}

/** Creates an empty MySQL/MariaDB database with a unique name. */
export async function createMysqlDatabase(): Promise<TestDatabase> {
  const name = uniqueName();
  await mysqlAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'mysql',
    drop: async () => void (await mysqlAdmin(`DROP DATABASE IF EXISTS ${name}`)),
  };
}

/** A fresh SQLite file path in its own temporary directory. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'molt-sqlite-'));
  return {
    url: `sqlite:${join(dir, 'test.db')}`,
    kind: 'sqlite',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every database the engine supports, for suites that run on each. */
export const DATABASES = [
  { kind: 'sqlite' as const, create: createSqliteDatabase },
  { kind: 'postgres' as const, create: createPostgresDatabase },
  { kind: 'mysql' as const, create: createMysqlDatabase },
];

/** Runs one query on a test database and returns its rows. */
export async function queryDb<T = Record<string, unknown>>(db: TestDatabase, sql: string): Promise<T[]> {
  if (db.kind === 'postgres') return pgAdmin<T>(sql, [], db.url);
  if (db.kind === 'mysql') return mysqlAdmin<T>(sql, [], db.url);
  const { default: Database } = await import('better-sqlite3');
  const conn = new Database(db.url.slice('sqlite:'.length));
  try {
    const stmt = conn.prepare(sql);
    return (stmt.reader ? stmt.all() : (stmt.run(), [])) as T[];
  } finally {
    conn.close();
  }
}

/** True when the test database has a table of that name. */
export async function hasTable(db: TestDatabase, table: string): Promise<boolean> {
  const probe = {
    postgres: `SELECT to_regclass('${table}') IS NOT NULL AS t`,
    mysql: `SELECT COUNT(*) > 0 AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${table}'`,
    sqlite: `SELECT COUNT(*) > 0 AS t FROM sqlite_master WHERE type = 'table' AND name = '${table}'`,
  }[db.kind];
  const [row] = await queryDb<{ t: unknown }>(db, probe);
  return row.t === true || Number(row.t) === 1;
}

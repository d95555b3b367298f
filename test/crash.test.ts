import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createPostgresDatabase, createSqliteDatabase, pgAdmin, queryDb, type TestDatabase } from './helpers/databases.js';
import { BIN, cleanEnv, migrationsDir, molt } from './helpers/cli.js';

/** Starts `molt migrate`, waits until `ready()` says it is inside the migration, then kills it with SIGKILL. */
async function killMidway(args: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'migrate', ...args], { env: cleanEnv(), stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    assert.ok(Date.now() < deadline, 'the migration never started');
    await sleep(20);
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

const tableExists = async (db: TestDatabase, table: string): Promise<boolean> =>
  db.kind === 'postgres'
    ? (await queryDb<{ t: string | null }>(db, `SELECT to_regclass('${table}') AS t`))[0].t !== null
    : (await queryDb(db, `SELECT name FROM sqlite_master WHERE name = '${table}'`)).length > 0;

const historyOf = (db: TestDatabase) => queryDb<{ version: string; status: string; statements_applied: unknown }>(db, 'SELECT version, status, statements_applied FROM _molt_migrations ORDER BY version');

describe('a migrating process killed with SIGKILL', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  it('PostgreSQL, inside a transactional migration: history and schema always agree, and the next run ends with it applied exactly once', async () => {
    const db = await createPostgresDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_base.sql': 'CREATE TABLE base (id integer);\n',
      '0002_slow.sql': 'CREATE TABLE during (id integer);\nSELECT pg_sleep(2);\nINSERT INTO base VALUES (1);\n',
    });
    const dbName = new URL(db.url).pathname.slice(1);
    await killMidway(['--db', db.url, '--dir', dir], async () =>
      (await pgAdmin(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(2)%'`, [dbName])).length > 0,
    );
    // The file and its history row travel as one transaction: the server either commits both
    // (it may finish the statement after the client died) or neither. Never one without the other.
    const claimed = (await historyOf(db)).some((r) => r.version === '0002');
    assert.equal(claimed, await tableExists(db, 'during'), 'the history and the schema disagree');
    const r = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /migrated from 0001 to 0002|up to date at 0002/);
    assert.deepEqual((await historyOf(db)).map((r) => [r.version, r.status]), [['0001', 'success'], ['0002', 'success']]);
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), [{ id: 1 }], 'the migration took effect more than once');
  });

  it('PostgreSQL, between statements of a transaction-off migration: the next run refuses with the exact progress', async () => {
    const db = await createPostgresDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_off.sql': '-- molt:transaction off\nCREATE TABLE first_half (id integer);\nSELECT pg_sleep(3);\nCREATE TABLE second_half (id integer);\n',
    });
    const dbName = new URL(db.url).pathname.slice(1);
    await killMidway(['--db', db.url, '--dir', dir], async () =>
      (await pgAdmin(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep(3)%'`, [dbName])).length > 0,
    );
    const history = await historyOf(db);
    assert.deepEqual(history.map((r) => [r.version, r.status, Number(r.statements_applied)]), [['0001', 'running', 1]]);
    assert.equal(await tableExists(db, 'first_half'), true);
    assert.equal(await tableExists(db, 'second_half'), false);
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /Migration 0001_off was interrupted: 1 of 3 statements applied/);
    const s = JSON.parse((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
    assert.equal(s.lock.held, false, 'the killed process left the lock held');
  });

  it('SQLite, inside a migration: the next run applies it cleanly and nothing half-done remains', async () => {
    const db = await createSqliteDatabase();
    dbs.push(db);
    const path = db.url.slice('sqlite:'.length);
    const dir = migrationsDir({
      '0001_base.sql': 'CREATE TABLE base (id integer);\n',
      '0002_slow.sql': 'CREATE TABLE during (id integer);\nINSERT INTO base VALUES (1);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c;\n',
    });
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir, '--to', '0001'])).code, 0);
    await killMidway(['--db', db.url, '--dir', dir], async () => existsSync(`${path}-journal`).valueOf() && (await sleep(300), true));
    assert.deepEqual((await historyOf(db)).map((r) => [r.version, r.status]), [['0001', 'success']]);
    assert.equal(await tableExists(db, 'during'), false);
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), []);
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), [{ id: 1 }]);
  });
});

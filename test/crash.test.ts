import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  hasTable,
  mysqlAdmin,
  pgAdmin,
  queryDb,
  type TestDatabase,
} from './helpers/databases.js';
import { BIN, cleanEnv, migrationsDir, molt, reportOf } from './helpers/cli.js';

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

const tableExists = hasTable;

const historyOf = (db: TestDatabase) =>
  queryDb<{ version: string; status: string; statements_applied: unknown }>(
    db,
    'SELECT version, status, statements_applied FROM _molt_migrations ORDER BY version',
  );

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
    await killMidway(
      ['--db', db.url, '--dir', dir],
      async () =>
        (await pgAdmin(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(2)%'`, [dbName]))
          .length > 0,
    );
    // The file and its history row travel as one transaction: the server either commits both
    // (it may finish the statement after the client died) or neither. Never one without the other.
    const claimed = (await historyOf(db)).some((r) => r.version === '0002');
    assert.equal(claimed, await tableExists(db, 'during'), 'the history and the schema disagree');
    const r = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /migrated from 0001 to 0002|up to date at 0002/);
    assert.deepEqual(
      (await historyOf(db)).map((r) => [r.version, r.status]),
      [
        ['0001', 'success'],
        ['0002', 'success'],
      ],
    );
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), [{ id: 1 }], 'the migration took effect more than once');
  });

  it('PostgreSQL, between statements of a transaction-off migration: the next run resumes after the last recorded statement', async () => {
    const db = await createPostgresDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_off.sql':
        '-- molt:transaction off\nCREATE TABLE first_half (id integer);\nSELECT pg_sleep(3);\nCREATE TABLE second_half (id integer);\n',
    });
    const dbName = new URL(db.url).pathname.slice(1);
    await killMidway(
      ['--db', db.url, '--dir', dir],
      async () =>
        (
          await pgAdmin(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%SELECT pg_sleep(3)%'`, [
            dbName,
          ])
        ).length > 0,
    );
    // The server finishes statement 2 and the row recording it, in one transaction, before it notices the dead client.
    while (
      (await pgAdmin(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'molt'`, [dbName]))
        .length > 0
    )
      await sleep(20);
    const history = await historyOf(db);
    assert.deepEqual(
      history.map((r) => [r.version, r.status, Number(r.statements_applied)]),
      [['0001', 'running', 2]],
    );
    assert.equal(await tableExists(db, 'first_half'), true);
    assert.equal(await tableExists(db, 'second_half'), false);
    const s = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
    assert.deepEqual(
      s.partial.map((p: Record<string, unknown>) => [p.state, p.statementsApplied, p.resumable]),
      [['interrupted', 2, true]],
    );
    // Rerunning statement 1 would fail with "relation already exists": the resume must skip it.
    const r = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resuming 0001_off at statement 3 of 3/);
    assert.deepEqual(
      (await historyOf(db)).map((r) => [r.version, r.status, Number(r.statements_applied)]),
      [['0001', 'success', 3]],
    );
    assert.equal(await tableExists(db, 'second_half'), true);
  });

  const sessionOn = async (dbName: string, fragment: string): Promise<boolean> =>
    (
      await mysqlAdmin('SELECT 1 FROM information_schema.processlist WHERE db = ? AND info LIKE ?', [
        dbName,
        `%${fragment}%`,
      ])
    ).length > 0;

  it('MariaDB, between two statements: the next run resumes at the statement after the last recorded one', async () => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_base.sql': 'CREATE TABLE base (id integer PRIMARY KEY);\n',
      '0002_steps.sql':
        'CREATE TABLE first_half (id integer);\nINSERT INTO base VALUES (1);\nDO SLEEP(3);\nCREATE TABLE second_half (id integer);\n',
    });
    const dbName = new URL(db.url).pathname.slice(1);
    await killMidway(['--db', db.url, '--dir', dir], () => sessionOn(dbName, 'DO SLEEP(3)'));
    assert.deepEqual(
      (await historyOf(db)).map((r) => [r.version, r.status]),
      [
        ['0001', 'success'],
        ['0002', 'running'],
      ],
    );
    assert.equal(await tableExists(db, 'second_half'), false);
    const r = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /resuming 0002_steps at statement [34] of 4: statements 1 to [23] ran in an earlier attempt/,
    );
    assert.deepEqual(
      (await historyOf(db)).map((r) => [r.version, r.status, Number(r.statements_applied)]),
      [
        ['0001', 'success', 1],
        ['0002', 'success', 4],
      ],
    );
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), [{ id: 1 }], 'a statement ran twice');
    assert.equal(await tableExists(db, 'second_half'), true);
  });

  it('MariaDB, during a DDL statement: the server finishes it with its progress row, so the next run neither repeats nor skips it', async () => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_ddl.sql':
        'CREATE TABLE first_half (id integer);\nCREATE TABLE during AS SELECT SLEEP(2) AS s;\nCREATE TABLE second_half (id integer);\n',
    });
    const dbName = new URL(db.url).pathname.slice(1);
    await killMidway(['--db', db.url, '--dir', dir], () => sessionOn(dbName, 'SELECT SLEEP(2)'));
    // The statement and its progress row were sent as one text; the dead client's session finishes both,
    // and holds the migration lock until it has.
    const r = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resuming 0001_ddl at statement 3 of 3/);
    assert.equal(await tableExists(db, 'during'), true);
    assert.equal(await tableExists(db, 'second_half'), true);
    const s = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
    assert.deepEqual([s.partial, s.problems, s.lock.held], [[], [], false]);
  });

  it('SQLite, inside a migration: the next run applies it cleanly and nothing half-done remains', async () => {
    const db = await createSqliteDatabase();
    dbs.push(db);
    const path = db.url.slice('sqlite:'.length);
    const dir = migrationsDir({
      '0001_base.sql': 'CREATE TABLE base (id integer);\n',
      '0002_slow.sql':
        'CREATE TABLE during (id integer);\nINSERT INTO base VALUES (1);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c;\n',
    });
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir, '--to', '0001'])).code, 0);
    // A database molt made is in WAL mode (-wal appears with the run's connection); an older one would show -journal.
    await killMidway(
      ['--db', db.url, '--dir', dir],
      async () => (existsSync(`${path}-wal`) || existsSync(`${path}-journal`)) && (await sleep(300), true),
    );
    assert.deepEqual(
      (await historyOf(db)).map((r) => [r.version, r.status]),
      [['0001', 'success']],
    );
    assert.equal(await tableExists(db, 'during'), false);
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), []);
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await queryDb(db, 'SELECT id FROM base'), [{ id: 1 }]);
  });
});

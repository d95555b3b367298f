import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { killMoltWhen, migrationsDir, molt, writeFiles, reportOf } from './helpers/cli.js';
import { createMysqlDatabase, mysqlAdmin, queryDb, type TestDatabase } from './helpers/databases.js';

// Found by `npm run faults`: statements inside LOCK TABLES commit one by one, yet the history cannot be written until
// UNLOCK TABLES, so an attempt that stops inside the region must never run the region again from its start.
describe('MySQL LOCK TABLES regions that stop part-way', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });
  const rows = async (db: TestDatabase): Promise<number[]> =>
    (await queryDb<{ id: unknown }>(db, 'SELECT id FROM audit ORDER BY id')).map((r) => Number(r.id));

  it('a process killed inside the region: the next run asks for repair instead of inserting the rows again', async () => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_audit.sql': 'CREATE TABLE audit (id integer);\n',
      '0002_locked.sql':
        'LOCK TABLES audit WRITE;\nINSERT INTO audit (id) VALUES (1);\nDO SLEEP(1.5);\nINSERT INTO audit (id) VALUES (2);\nUNLOCK TABLES;\n',
    });
    const name = new URL(db.url).pathname.slice(1);
    const sleeping = async (): Promise<boolean> =>
      (await mysqlAdmin("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'DO SLEEP%'", [name]))
        .length > 0;
    await killMoltWhen(['migrate', '--db', db.url, '--dir', dir], sleeping, 'the SLEEP inside the region');
    // The server finishes the SLEEP before it sees the client gone; the first INSERT has committed by itself.
    while (await sleeping()) await sleep(20);
    assert.deepEqual(await rows(db), [1]);

    const again = await molt(['migrate', '--db', db.url, '--dir', dir, '--lock-timeout', '20s']);
    assert.equal(again.code, 3, again.stderr);
    assert.match(
      again.stderr,
      /0002_locked stopped inside the LOCK TABLES region that begins at statement 1: .*was running when an earlier attempt died/,
    );
    assert.match(again.stderr, /molt repair --resolve applied/);
    assert.deepEqual(await rows(db), [1], 'the region ran again');

    // Finished by hand, then recorded: the next run has nothing left to do.
    await mysqlAdmin('INSERT INTO audit (id) VALUES (2)', [], db.url);
    const repaired = await molt(['repair', '--resolve', 'applied', '--yes', '--db', db.url, '--dir', dir]);
    assert.equal(repaired.code, 0, repaired.stderr);
    const last = await molt(['migrate', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(reportOf(last.stdout).status, 'up_to_date');
    assert.deepEqual(await rows(db), [1, 2]);
  });

  it('a statement failing after others of the region committed: the fixed file is not run again from the region start', async () => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    const locked = (third: string): string =>
      `LOCK TABLES audit WRITE;\nINSERT INTO audit (id) VALUES (1);\n${third}\nUNLOCK TABLES;\n`;
    const dir = migrationsDir({
      '0001_audit.sql': 'CREATE TABLE audit (id integer PRIMARY KEY);\n',
      '0002_locked.sql': locked('INSERT INTO audit (id) VALUES (1);'),
    });
    const first = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(first.code, 4, first.stderr);
    assert.match(
      first.stderr,
      /Statements 1 to 2 of the LOCK TABLES region ran and committed one by one before statement 3 failed/,
    );
    assert.deepEqual(await rows(db), [1]);

    writeFiles(dir, { '0002_locked.sql': locked('INSERT INTO audit (id) VALUES (2);') });
    const again = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, /stopped inside the LOCK TABLES region .*it stopped on: .*Duplicate entry/);
    assert.deepEqual(await rows(db), [1]);
  });

  it('a region that completes records its progress and clears the in-flight mark', async () => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_audit.sql': 'CREATE TABLE audit (id integer);\n',
      '0002_locked.sql':
        'LOCK TABLES audit WRITE;\nINSERT INTO audit (id) VALUES (1);\nUNLOCK TABLES;\nINSERT INTO audit (id) VALUES (2);\n',
    });
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const [row] = await queryDb<{ status: string; statements_applied: unknown; error_statement: unknown }>(
      db,
      "SELECT status, statements_applied, error_statement FROM _molt_migrations WHERE version = '0002'",
    );
    assert.deepEqual([row.status, Number(row.statements_applied), row.error_statement], ['success', 4, null]);
    assert.deepEqual(await rows(db), [1, 2]);
  });
});

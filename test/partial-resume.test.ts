import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDriver } from '../src/drivers/index.js';
import { DATABASES, hasTable, queryDb, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt, writeFiles, reportOf } from './helpers/cli.js';

const progressOf = (db: TestDatabase) =>
  queryDb<{ status: string; statements_applied: unknown; statements_total: unknown; error_statement: unknown }>(
    db,
    "SELECT status, statements_applied, statements_total, error_statement FROM _molt_migrations WHERE version = '0002'",
  );

// Where DDL is transactional, a file opts into statement-by-statement running; MySQL always runs that way.
for (const { kind, create } of DATABASES) {
  describe(`a 5-statement migration whose 3rd statement fails, on ${kind}`, () => {
    const dbs: TestDatabase[] = [];
    after(async () => {
      for (const db of dbs) await db.drop();
    });

    it('keeps 1 and 2 applied and recorded, reports it, and resumes at 3 once the file is fixed', async () => {
      const db = await create();
      dbs.push(db);
      const { capabilities } = await createDriver(db.url);
      const header = capabilities.transactionalDdl ? '-- molt:transaction off\n' : '';
      const file = (third: string): string =>
        `${header}CREATE TABLE resume_a (id integer PRIMARY KEY);\nINSERT INTO resume_a (id) VALUES (1);\n${third}\nCREATE TABLE resume_c (id integer);\nINSERT INTO resume_a (id) VALUES (2);\n`;
      const dir = migrationsDir({
        '0001_first.sql': 'CREATE TABLE earlier (id integer);\n',
        '0002_five.sql': file('INSERT INTO resume_missing (id) VALUES (1);'),
      });
      const line = header ? 4 : 3;

      const first = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(first.code, 4, first.stderr);
      assert.match(
        first.stderr,
        new RegExp(`Migration 0002_five failed at .*0002_five\\.sql:${line} \\(statement 3 of 5\\): .*resume_missing`),
      );
      assert.deepEqual(await queryDb(db, 'SELECT id FROM resume_a'), [{ id: 1 }]);
      const [row] = await progressOf(db);
      assert.deepEqual(
        [row.status, Number(row.statements_applied), Number(row.statements_total), Number(row.error_statement)],
        ['failed', 2, 5, 3],
      );

      const status = await molt(['status', '--db', db.url, '--dir', dir]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(
        status.stdout,
        /0002_five {2}partially applied: 2 of 5 statements; statement 3 failed: .*resume_missing/,
      );
      assert.match(status.stdout, new RegExp(`at .*0002_five\\.sql:${line}; next migrate resumes at statement 3`));
      const json = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
      assert.deepEqual(
        json.partial.map((p: Record<string, unknown>) => [
          p.state,
          p.statementsApplied,
          p.statementsTotal,
          p.failedStatement,
          p.resumable,
        ]),
        [['failed', 2, 5, 3, true]],
      );
      // A replica gate must not start on a half-applied schema.
      assert.equal((await molt(['verify', '--db', db.url, '--dir', dir])).code, 7);

      writeFiles(dir, { '0002_five.sql': file('CREATE TABLE resume_b (id integer);') });
      const second = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(
        second.stderr,
        /resuming 0002_five at statement 3 of 5: statements 1 to 2 ran in an earlier attempt and are unchanged/,
      );
      // Statement 2 ran once: running it again would have failed on the primary key.
      assert.deepEqual(await queryDb(db, 'SELECT id FROM resume_a ORDER BY id'), [{ id: 1 }, { id: 2 }]);
      assert.equal(await hasTable(db, 'resume_b'), true);
      assert.equal(await hasTable(db, 'resume_c'), true);
      const [done] = await progressOf(db);
      assert.deepEqual([done.status, Number(done.statements_applied)], ['success', 5]);
      const after = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
      assert.deepEqual([after.partial, after.pending, after.problems], [[], [], []]);
      assert.equal((await molt(['verify', '--db', db.url, '--dir', dir])).code, 0);
    });

    it('retrying an unchanged failing file changes nothing and reports the same failure', async () => {
      const db = await create();
      dbs.push(db);
      const { capabilities } = await createDriver(db.url);
      const header = capabilities.transactionalDdl ? '-- molt:transaction off\n' : '';
      const dir = migrationsDir({
        '0001_first.sql': 'CREATE TABLE earlier (id integer);\n',
        '0002_fails.sql': `${header}CREATE TABLE again_a (id integer);\nINSERT INTO again_missing (id) VALUES (1);\n`,
      });
      assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 4);
      const before = await progressOf(db);
      const retry = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(retry.code, 4, retry.stderr);
      assert.match(retry.stderr, /resuming 0002_fails at statement 2 of 2/);
      assert.match(retry.stderr, /statement 2 of 2\): .*again_missing/);
      assert.deepEqual(await progressOf(db), before);
    });
  });
}

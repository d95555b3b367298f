import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createMysqlDatabase, createPostgresDatabase, createSqliteDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt } from './helpers/cli.js';

// A migration that inserts a row shows exactly-once directly: one row, not one per process.
const files = (slow: string): Record<string, string> => ({
  '0001_create.sql': 'CREATE TABLE boots (id integer PRIMARY KEY, note text);\n',
  '0002_insert_first.sql': "INSERT INTO boots (id, note) VALUES (1, 'first');\n",
  '0003_slow.sql': `CREATE TABLE slow_t (id integer);\n${slow}\n`,
  '0004_insert_second.sql': "INSERT INTO boots (id, note) VALUES (2, 'second');\n",
});

const cases = [
  { kind: 'postgres', processes: 16, create: createPostgresDatabase, slow: 'SELECT pg_sleep(0.5);' },
  { kind: 'mariadb', processes: 8, create: createMysqlDatabase, slow: 'DO SLEEP(0.5);' },
  { kind: 'sqlite', processes: 8, create: createSqliteDatabase, slow: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c;' },
];

for (const { kind, processes, create, slow } of cases) {
  describe(`${processes} processes migrating one ${kind} database at once`, () => {
    let db: TestDatabase;
    after(async () => db?.drop());

    it('all exit 0 and every migration takes effect exactly once', async () => {
      db = await create();
      const dir = migrationsDir(files(slow));
      const runs = await Promise.all(Array.from({ length: processes }, () => molt(['migrate', '--json', '--db', db.url, '--dir', dir])));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const reports = runs.map((r) => JSON.parse(r.stdout));
      const applied = reports.flatMap((rep: { migrations: { status: string }[] }) => rep.migrations.filter((m) => m.status === 'applied'));
      assert.equal(applied.length, 4, 'each migration must be applied by exactly one process');
      assert.equal(reports.filter((rep: { status: string }) => rep.status === 'up_to_date').length, processes - 1);
      assert.deepEqual(await queryDb(db, 'SELECT id, note FROM boots ORDER BY id'), [{ id: 1, note: 'first' }, { id: 2, note: 'second' }]);
      const history = await queryDb<{ n: unknown }>(db, "SELECT count(*) AS n FROM _molt_migrations WHERE status = 'success'");
      assert.equal(Number(history[0].n), 4);
    });
  });
}

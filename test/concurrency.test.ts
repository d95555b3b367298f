import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  pgAdmin,
  queryDb,
  type TestDatabase,
} from './helpers/databases.js';
import { migrationsDir, molt, reportOf } from './helpers/cli.js';

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
  {
    kind: 'sqlite',
    processes: 8,
    create: createSqliteDatabase,
    slow: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c;',
  },
];

for (const { kind, processes, create, slow } of cases) {
  describe(`${processes} processes migrating one ${kind} database at once`, () => {
    let db: TestDatabase;
    after(async () => db?.drop());

    it('all exit 0 and every migration takes effect exactly once', async () => {
      db = await create();
      const dir = migrationsDir(files(slow));
      const runs = await Promise.all(
        Array.from({ length: processes }, () => molt(['migrate', '--json', '--db', db.url, '--dir', dir])),
      );
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const reports = runs.map((r) => reportOf(r.stdout));
      const applied = reports.flatMap((rep: { migrations: { status: string }[] }) =>
        rep.migrations.filter((m) => m.status === 'applied'),
      );
      assert.equal(applied.length, 4, 'each migration must be applied by exactly one process');
      assert.equal(reports.filter((rep: { status: string }) => rep.status === 'up_to_date').length, processes - 1);
      assert.deepEqual(await queryDb(db, 'SELECT id, note FROM boots ORDER BY id'), [
        { id: 1, note: 'first' },
        { id: 2, note: 'second' },
      ]);
      const history = await queryDb<{ n: unknown }>(
        db,
        "SELECT count(*) AS n FROM _molt_migrations WHERE status = 'success'",
      );
      assert.equal(Number(history[0].n), 4);
    });
  });
}

describe('a boot with nothing to do while another process migrates', () => {
  let db: TestDatabase;
  after(async () => db?.drop());

  it('does not queue for the lock: the older binary starts while the newer one still holds it', async () => {
    db = await createPostgresDatabase();
    const older = { '0001_create.sql': 'CREATE TABLE boots (id integer PRIMARY KEY);\n' };
    const newer = { ...older, '0002_slow.sql': 'CREATE TABLE slow_t (id integer);\nSELECT pg_sleep(5);\n' };
    const first = await molt(['migrate', '--db', db.url, '--dir', migrationsDir(older)]);
    assert.equal(first.code, 0, first.stderr);

    let newerDone = false;
    const migrating = molt(['migrate', '--db', db.url, '--dir', migrationsDir(newer)]).then(
      (r) => ((newerDone = true), r),
    );
    const name = new URL(db.url).pathname.slice(1);
    const deadline = Date.now() + 20_000;
    while (
      (
        await pgAdmin(
          "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(5)%' AND pid <> pg_backend_pid()",
          [name],
        )
      ).length === 0
    ) {
      assert.ok(Date.now() < deadline, 'the slow migration never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    const boot = await molt(['migrate', '--json', '--db', db.url, '--dir', migrationsDir(older)]);
    assert.equal(boot.code, 0, boot.stderr);
    assert.equal(reportOf(boot.stdout).status, 'up_to_date');
    assert.equal(newerDone, false, 'the older binary waited for the lock until the newer one had finished');
    const r = await migrating;
    assert.equal(r.code, 0, r.stderr);
  });
});

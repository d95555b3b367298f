// kill -9 during backup and restore: the next run cleans what the dead one left, and says so (issue 14, item 11).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  mysqlAdmin,
  pgAdmin,
  queryDb,
  type TestDatabase,
} from './helpers/databases.js';
import { killMoltWhen, migrationsDir, molt, reportOf } from './helpers/cli.js';

const made: TestDatabase[] = [];
const roots: string[] = [];
after(async () => {
  for (const db of made) await db.drop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'molt-leftovers-'));
  roots.push(dir);
  return dir;
};

const BULK: Record<TestDatabase['kind'], string> = {
  sqlite:
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) INSERT INTO notes (body) SELECT printf('%0300d', i) FROM n",
  postgres: "INSERT INTO notes (body) SELECT lpad(i::text, 300, '0') FROM generate_series(1, 400000) AS i",
  mysql: "INSERT INTO notes (body) SELECT LPAD(seq, 300, '0') FROM seq_1_to_200000",
};

/** A migrated database with enough rows that a backup or restore takes a moment to kill. */
async function bulky(create: () => Promise<TestDatabase>): Promise<{ db: TestDatabase; dir: string }> {
  const db = await create();
  made.push(db);
  const dir = migrationsDir({ '0001_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY, body text);\n' });
  assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
  if (db.kind === 'mysql') await queryDb(db, 'ALTER TABLE notes MODIFY id integer AUTO_INCREMENT');
  if (db.kind === 'postgres')
    await queryDb(db, "CREATE SEQUENCE s OWNED BY notes.id; ALTER TABLE notes ALTER id SET DEFAULT nextval('s')");
  await queryDb(db, BULK[db.kind]);
  return { db, dir };
}

const leftovers = (dir: string): string[] =>
  readdirSync(dir).filter((n) => /\.molt-(backup|restore)-|\.partial$/.test(n));

describe('leftovers of a killed backup or restore', () => {
  it('SQLite: a backup killed while writing leaves a .partial archive, and the next backup removes it and says so', async () => {
    const { db, dir } = await bulky(createSqliteDatabase);
    const backups = tmp();
    await killMoltWhen(
      ['backup', '--db', db.url, '--dir', dir, '--backup-dir', backups],
      async () => leftovers(backups).some((n) => n.endsWith('.partial')),
      'the partial archive',
    );
    assert.ok(leftovers(backups).length > 0, 'the kill left nothing to clean: the test proves nothing');
    const r = await molt(['backup', '--json', '--db', db.url, '--dir', dir, '--backup-dir', backups]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /removed .*, left by an interrupted backup or restore/);
    assert.ok(reportOf(r.stdout).leftovers.length > 0);
    assert.deepEqual(leftovers(backups), []);
  });

  it('SQLite: a restore killed mid-way leaves its staging, the next restore removes it, and the replaced database is kept', async () => {
    const { db, dir } = await bulky(createSqliteDatabase);
    const archive = join(tmp(), 'full.tar.gz');
    assert.equal((await molt(['backup', archive, '--db', db.url, '--dir', dir])).code, 0);
    const home = dirname(db.url.slice('sqlite:'.length));
    await killMoltWhen(
      ['restore', archive, '--yes', '--db', db.url, '--dir', dir],
      async () => leftovers(home).length > 0,
      'the restore staging',
    );
    assert.ok(leftovers(home).length > 0);
    const r = await molt(['restore', archive, '--yes', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const report = reportOf(r.stdout);
    assert.ok(
      report.notes.some((n: string) => /left by an interrupted backup or restore/.test(n)),
      r.stdout,
    );
    assert.deepEqual(leftovers(home), []);
    assert.match(basename(report.previous), /^test\.db\.molt-before-restore-\d{14}$/);
    assert.ok(existsSync(report.previous));
    assert.equal(Number((await queryDb<{ n: unknown }>(db, 'SELECT count(*) AS n FROM notes'))[0].n), 400000);
  });

  it('SQLite: a restore killed between swapping the data directory and the database is finished on the next boot', async () => {
    const root = tmp();
    const db = join(root, 'app.db');
    const uploads = join(root, 'uploads');
    const dir = migrationsDir({ '0001_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY, body text);\n' });
    const make = async (path: string, body: string): Promise<void> => {
      assert.equal((await molt(['migrate', '--db', `sqlite:${path}`, '--dir', dir])).code, 0);
      await queryDb(
        { url: `sqlite:${path}`, kind: 'sqlite', drop: async () => undefined },
        `INSERT INTO notes (body) VALUES ('${body}')`,
      );
    };
    // What a kill leaves after the first of two journalled renames: the new uploads in place and the old aside, the
    // new database still staged beside the old one, and the journal naming both steps, of a process that is gone.
    await make(db, 'old');
    const staged = join(root, '.app.db.molt-restore-999999-abcd1234');
    await make(staged, 'new');
    mkdirSync(uploads);
    writeFileSync(join(uploads, 'a.txt'), 'new');
    const aside = `${uploads}.molt-old-999999-x`;
    mkdirSync(aside);
    writeFileSync(join(aside, 'a.txt'), 'old');
    const previous = `${db}.molt-before-restore-20260101000000`;
    writeFileSync(
      join(root, '.molt-restore-999999-abcd.journal.json'),
      JSON.stringify({
        pid: 999999,
        steps: [
          { target: uploads, staged: `${uploads}.molt-new-999999-x`, aside, keepAside: false },
          { target: db, staged, aside: previous, keepAside: true },
        ],
      }),
    );
    const r = await molt(['migrate', '--db', `sqlite:${db}`, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`finished swapping ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} into place`));
    assert.deepEqual(
      await queryDb({ url: `sqlite:${db}`, kind: 'sqlite', drop: async () => undefined }, 'SELECT body FROM notes'),
      [{ body: 'new' }],
    );
    assert.equal(readFileSync(join(uploads, 'a.txt'), 'utf8'), 'new');
    assert.deepEqual(
      readdirSync(root)
        .filter((n) => n !== 'app.db-wal' && n !== 'app.db-shm')
        .sort(),
      ['app.db', 'app.db.molt-before-restore-20260101000000', 'uploads'],
    );
  });

  for (const server of [
    {
      kind: 'PostgreSQL',
      create: createPostgresDatabase,
      fresh: async (name: string) =>
        (
          await pgAdmin<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
            `${name}_molt_restore_%`,
          ])
        ).map((r) => r.datname),
      loading: async (name: string) =>
        (
          await pgAdmin("SELECT 1 FROM pg_stat_activity WHERE datname LIKE $1 AND backend_type = 'client backend'", [
            `${name}_molt_restore_%`,
          ])
        ).length > 0,
    },
    {
      kind: 'MariaDB',
      create: createMysqlDatabase,
      fresh: async (name: string) =>
        (
          await mysqlAdmin<{ s: string }>(
            'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?',
            [`${name}\\_molt\\_restore\\_%`],
          )
        ).map((r) => r.s),
      loading: async (name: string) =>
        (
          await mysqlAdmin('SELECT 1 FROM information_schema.PROCESSLIST WHERE DB LIKE ?', [
            `${name}\\_molt\\_restore\\_%`,
          ])
        ).length > 0,
    },
  ]) {
    it(
      `${server.kind}: the restore tool dies with molt, and the next restore drops the fresh database it left`,
      { timeout: 120_000 },
      async () => {
        const { db, dir } = await bulky(server.create);
        const name = new URL(db.url).pathname.slice(1);
        const archive = join(tmp(), 'full.tar.gz');
        assert.equal((await molt(['backup', archive, '--db', db.url, '--dir', dir])).code, 0);
        await killMoltWhen(
          ['restore', archive, '--yes', '--db', db.url, '--dir', dir],
          () => server.loading(name),
          'the load into the fresh database',
          60_000,
        );
        // The tool got SIGKILL with molt, so its session ends at once instead of finishing the load.
        const by = Date.now() + 5_000;
        while ((await server.loading(name)) && Date.now() < by) await sleep(100);
        assert.equal(await server.loading(name), false, 'the restore tool kept loading after molt died');
        assert.equal((await server.fresh(name)).length, 1);
        // A fresh database younger than ten seconds may be another restore's work; this one is older by then.
        await sleep(10_500);
        const r = await molt(['restore', archive, '--yes', '--json', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(
          reportOf(r.stdout).notes.some((n: string) => /left by an interrupted restore/.test(n)),
          r.stdout,
        );
        assert.deepEqual(await server.fresh(name), []);
        for (const previous of [reportOf(r.stdout).previous].filter(Boolean)) {
          if (server.kind === 'PostgreSQL') await pgAdmin(`DROP DATABASE IF EXISTS "${previous}" WITH (FORCE)`);
          else await mysqlAdmin(`DROP DATABASE IF EXISTS \`${previous}\``);
        }
      },
    );
  }
});

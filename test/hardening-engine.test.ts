// Safety holes in the engine found by attack (issue 14, items 1 to 6): each case failed on the code before the fix.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DATABASES, hasTable, queryDb, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt, reportOf } from './helpers/cli.js';

const EXIT_INVALID_FILES = 8;
const EXIT_NEEDS_DECISION = 9;

for (const { kind, create } of DATABASES) {
  describe(`engine hardening on ${kind}`, () => {
    const dbs: TestDatabase[] = [];
    const fresh = async (): Promise<TestDatabase> => {
      const db = await create();
      dbs.push(db);
      return db;
    };
    after(async () => {
      for (const db of dbs) await db.drop();
    });
    const historyCount = async (db: TestDatabase): Promise<number> =>
      (await hasTable(db, '_molt_migrations'))
        ? Number((await queryDb<{ n: unknown }>(db, 'SELECT count(*) AS n FROM _molt_migrations'))[0].n)
        : 0;

    // Item 1: the file's text and its history row must never come apart.
    for (const [what, text, line] of [
      ['a NUL byte', 'CREATE TABLE a (x int);\nSELECT 1;\0\n', 2],
      ['an unclosed block comment', 'CREATE TABLE a (x int);\n/* unterminated\n', 2],
      ['an unclosed string', "CREATE TABLE a (x int);\nINSERT INTO a VALUES ('oops);\n", 2],
    ] as const) {
      it(`refuses a file holding ${what}, naming the line, and applies nothing`, async () => {
        const db = await fresh();
        const dir = migrationsDir({ '0001_a.sql': text });
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, EXIT_INVALID_FILES, r.stderr);
        assert.match(r.stderr, new RegExp(`0001_a\\.sql:${line}: `));
        assert.equal(await hasTable(db, 'a'), false);
        assert.equal(await historyCount(db), 0);
      });
    }

    it('refuses a file that is not UTF-8', async () => {
      const db = await fresh();
      const dir = migrationsDir({});
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        `${dir}/0001_a.sql`,
        Buffer.concat([Buffer.from('CREATE TABLE a (x int);\n-- caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      );
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, EXIT_INVALID_FILES, r.stderr);
      assert.match(r.stderr, /0001_a\.sql:2: is not valid UTF-8/);
    });

    // Item 2: CR-only line endings hash like LF, so they must run like LF.
    it('runs a file with CR-only line endings as its LF twin', async () => {
      const db = await fresh();
      const dir = migrationsDir({ '0001_a.sql': '-- note\rCREATE TABLE a (x int);\rINSERT INTO a VALUES (1);\r' });
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (await queryDb<{ x: unknown }>(db, 'SELECT x FROM a')).map((row) => Number(row.x)),
        [1],
      );
    });

    // Item 3: directive spellings are tolerated or refused, never ignored.
    for (const spelling of ['-- MOLT:PHASE contract', '-- molt: phase contract', '--Molt : Phase CONTRACT']) {
      it(`reads "${spelling}" as a contract migration`, async () => {
        const db = await fresh();
        const dir = migrationsDir({ '0001_a.sql': `${spelling}\nCREATE TABLE a (x int);\n` });
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        const [row] = await queryDb<{ phase: string }>(db, 'SELECT phase FROM _molt_migrations');
        assert.equal(row.phase, 'contract');
      });
    }

    it('refuses two phase directives in one file', async () => {
      const dir = migrationsDir({
        '0001_a.sql': '-- molt:phase expand\n-- molt:phase contract\nCREATE TABLE a (x int);\n',
      });
      const r = await molt(['migrate', '--db', (await fresh()).url, '--dir', dir]);
      assert.equal(r.code, EXIT_INVALID_FILES, r.stderr);
      assert.match(r.stderr, /0001_a\.sql:2: a second "molt:phase" directive; line 1 already set it/);
    });

    // Item 5: an existing database with no history is detected before anything runs.
    it('refuses a database with tables and no history, and baseline then adopts it', async () => {
      const db = await fresh();
      await queryDb(db, 'CREATE TABLE users (id int)');
      const dir = migrationsDir({
        '0001_users.sql': 'CREATE TABLE users (id int);\n',
        '0002_more.sql': 'CREATE TABLE more (id int);\n',
      });
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, EXIT_NEEDS_DECISION, r.stderr);
      assert.match(r.stderr, /already has 1 table\(s\) \(.*users\) but no migration recorded/);
      assert.match(r.stderr, /molt baseline VERSION/);
      assert.equal(await hasTable(db, 'more'), false);
      const s = await molt(['status', '--json', '--db', db.url, '--dir', dir]);
      assert.deepEqual(
        reportOf(s.stdout).problems.map((p: { code: string }) => p.code),
        ['not_baselined'],
      );
      assert.equal((await molt(['baseline', '9999', '--db', db.url, '--dir', dir])).code, EXIT_NEEDS_DECISION);
      const b = await molt(['baseline', '0001', '--db', db.url, '--dir', dir]);
      assert.equal(b.code, 0, b.stderr);
      const m = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(m.code, 0, m.stderr);
      assert.equal(await hasTable(db, 'more'), true);
    });

    it('lets baseline adopt a database whose first migrate failed on existing tables', async () => {
      const db = await fresh();
      await queryDb(db, 'CREATE TABLE users (id int)');
      const dir = migrationsDir({ '0001_users.sql': 'CREATE TABLE users (id int);\n' });
      // --allow-non-empty goes ahead, and the first migration fails on the table that is there.
      const r = await molt(['migrate', '--allow-non-empty', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 4, r.stderr);
      const again = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(again.code, EXIT_NEEDS_DECISION, again.stderr);
      const b = await molt(['baseline', '0001', '--db', db.url, '--dir', dir]);
      assert.equal(b.code, 0, b.stderr);
      const s = await molt(['status', '--json', '--db', db.url, '--dir', dir]);
      const report = reportOf(s.stdout);
      assert.deepEqual([report.problems, report.pending.length, report.applied.length], [[], 0, 1]);
    });

    it('refuses migrate --to a version no migration has', async () => {
      const db = await fresh();
      const dir = migrationsDir({
        '0001_a.sql': 'CREATE TABLE a (x int);\n',
        '0002_b.sql': 'CREATE TABLE b (x int);\n',
      });
      const r = await molt(['migrate', '--to', '0005', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--to 0005: no migration has that version/);
      assert.equal(await hasTable(db, 'a'), false);
    });
  });
}

describe('engine hardening on SQLite', () => {
  // Item 22: foreign keys are off while migrations run, as SQLite's rebuild procedure says; each migration is checked.
  it('a migration that leaves a reference pointing at nothing fails naming the table, and nothing of it stays', async () => {
    const db = await DATABASES[0].create();
    try {
      const dir = migrationsDir({
        '0001_parent.sql':
          'CREATE TABLE parent (id integer PRIMARY KEY);\nCREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));\n',
        '0002_orphan.sql': 'INSERT INTO child (id, parent_id) VALUES (1, 42);\n',
      });
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(
        r.stderr,
        /0002_orphan failed .*it leaves 1 row\(s\) of table child whose foreign key points at no row of parent/,
      );
      assert.deepEqual(await queryDb(db, 'SELECT * FROM child'), []);
      const s = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
      assert.deepEqual(
        s.applied.map((m: { version: string }) => m.version),
        ['0001'],
      );
    } finally {
      await db.drop();
    }
  });
});

describe('engine hardening on server databases', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  // Item 4: a migration that moves the session elsewhere still gets its history row, and the next file starts home.
  it('applies a pg_dump-style file that empties search_path (PostgreSQL)', async () => {
    const db = await DATABASES[1].create();
    dbs.push(db);
    const dir = migrationsDir({
      '0001_dump.sql': "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.a (x int);\n",
      '0002_next.sql': 'CREATE TABLE b (x int);\n',
    });
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (await queryDb(db, 'SELECT version FROM _molt_migrations ORDER BY version')).map((row) => row.version),
      ['0001', '0002'],
    );
    assert.equal(await hasTable(db, 'public.b'), true);
  });

  it('applies a file that runs USE other (MariaDB), and the next file runs in the database migrated', async () => {
    const db = await DATABASES[2].create();
    const other = await DATABASES[2].create();
    dbs.push(db, other);
    const otherName = new URL(other.url).pathname.slice(1);
    const dir = migrationsDir({
      '0001_use.sql': `USE ${otherName};\nCREATE TABLE elsewhere (x int);\n`,
      '0002_next.sql': 'CREATE TABLE home (x int);\n',
    });
    const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await hasTable(other, 'elsewhere'), true);
    assert.equal(await hasTable(db, 'home'), true);
    assert.equal((await queryDb(db, 'SELECT version FROM _molt_migrations')).length, 2);
  });

  // Item 6: a LOCK TABLES region never closed is refused before it runs, not left `running`.
  it('refuses a MySQL file that opens LOCK TABLES and never closes it', async () => {
    const db = await DATABASES[2].create();
    dbs.push(db);
    await queryDb(db, 'CREATE TABLE t (x int)');
    const dir = migrationsDir({ '0001_lock.sql': 'LOCK TABLES t WRITE;\nINSERT INTO t VALUES (1);\n' });
    const r = await molt(['migrate', '--allow-non-empty', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, EXIT_INVALID_FILES, r.stderr);
    assert.match(r.stderr, /0001_lock\.sql:1: "LOCK TABLES t WRITE" opens a lock region that the file never closes/);
    assert.equal((await queryDb(db, 'SELECT * FROM t')).length, 0);
  });
});

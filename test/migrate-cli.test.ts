import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DATABASES, hasTable, queryDb, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt, writeFiles, reportOf } from './helpers/cli.js';

const HISTORY = 'SELECT version, name, status, checksum FROM _molt_migrations ORDER BY version';

for (const { kind, create } of DATABASES) {
  describe(`molt CLI on ${kind}`, () => {
    const dbs: TestDatabase[] = [];
    const fresh = async (): Promise<TestDatabase> => {
      const db = await create();
      dbs.push(db);
      return db;
    };
    after(async () => {
      for (const db of dbs) await db.drop();
    });

    const base = {
      '0001_create_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);\n',
      '0002_seed.sql': "-- molt:phase expand\nINSERT INTO notes (id, body) VALUES (1, 'hello');\n",
    };

    describe('a clean run', () => {
      let db: TestDatabase;
      let dir: string;
      before(async () => {
        db = await fresh();
        dir = migrationsDir(base);
      });

      it('applies every migration, logs the from/to line, and exits 0', async () => {
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /molt: database migrated from empty to 0002 \(2 migrations, \d+ ms\)/);
        assert.deepEqual(await queryDb(db, 'SELECT body FROM notes'), [{ body: 'hello' }]);
      });

      it('is a no-op the second time', async () => {
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /up to date at 0002/);
        assert.equal((await queryDb(db, 'SELECT body FROM notes')).length, 1);
      });

      it('status --json prints {applied, pending, unknown, problems} with version, name and phase', async () => {
        writeFiles(dir, { '0003_more.sql': '-- molt:phase contract\nALTER TABLE notes ADD COLUMN extra text;\n' });
        const r = await molt(['status', '--json', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        const report = reportOf(r.stdout);
        assert.deepEqual(
          report.applied.map(({ version, name, phase }: { version: string; name: string; phase: string }) => ({
            version,
            name,
            phase,
          })),
          [
            { version: '0001', name: 'create_notes', phase: 'expand' },
            { version: '0002', name: 'seed', phase: 'expand' },
          ],
        );
        assert.deepEqual(report.pending, [{ version: '0003', name: 'more', phase: 'contract' }]);
        assert.deepEqual(report.unknown, []);
        assert.deepEqual(report.problems, []);
        // Each applied migration says when, how long, by which app version and on which host, as Flyway's info does.
        for (const m of report.applied) {
          assert.match(m.appliedAt, /^\d{4}-\d\d-\d\dT/);
          assert.equal(typeof m.durationMs, 'number');
          assert.equal(m.status, 'success');
          assert.ok(m.host);
        }
        const text = await molt(['status', '--db', db.url, '--dir', dir]);
        assert.match(
          text.stdout,
          /applied   2\n  0001_create_notes  expand  \d{4}-\d\d-\d\dT\S+  \d+ ms  app \S+  on \S+\n  0002_seed/,
        );
        assert.equal(report.lock.held, false);
        rmSync(join(dir, '0003_more.sql'));
      });

      it('verify passes on a database that has everything, and exits 7 when something is pending', async () => {
        assert.equal((await molt(['verify', '--db', db.url, '--dir', dir])).code, 0);
        writeFiles(dir, { '0003_more.sql': 'ALTER TABLE notes ADD COLUMN extra text;\n' });
        const r = await molt(['verify', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 7);
        assert.match(r.stderr, /1 pending migration\(s\), first 0003_more/);
        rmSync(join(dir, '0003_more.sql'));
      });

      it('does not block on a CRLF-only change to an applied migration', async () => {
        const file = join(dir, '0001_create_notes.sql');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n') + '   \r\n\r\n');
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /Cosmetic changes only/);
        const repaired = await molt(['repair', '--yes', '--db', db.url, '--dir', dir]);
        assert.equal(repaired.code, 0, repaired.stderr);
        assert.match(repaired.stdout, /cosmetic change/);
        assert.doesNotMatch((await molt(['migrate', '--db', db.url, '--dir', dir])).stderr, /Cosmetic/);
      });
    });

    /** Applies `base`, changes the situation, and checks that migrate refuses with `code` and writes nothing. */
    async function refuses(
      code: string,
      change: (dir: string, db: TestDatabase) => Promise<void> | void,
      extra: Record<string, string> = {},
    ) {
      const db = await fresh();
      const dir = migrationsDir({ ...base, ...extra });
      assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
      await change(dir, db);
      const before = await queryDb(db, HISTORY);
      const r = await molt(['migrate', '--json', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.equal(out.error.code, 'DRIFT');
      assert.ok(
        out.report.problems.some((p: { code: string }) => p.code === code),
        r.stdout,
      );
      assert.deepEqual(await queryDb(db, HISTORY), before, 'migrate wrote to the history although it refused');
      const status = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
      assert.ok(status.problems.some((p: { code: string }) => p.code === code));
      return { r, db, dir, status };
    }

    it('refuses an edited applied migration: checksum_mismatch', async () => {
      const { r } = await refuses('checksum_mismatch', (dir) => {
        writeFiles(dir, {
          '0002_seed.sql': "INSERT INTO notes (id, body) VALUES (1, 'changed');\n",
          '0003_next.sql': 'SELECT 1;\n',
        });
      });
      assert.match(r.stderr, /Migration 0002_seed was edited after it was applied/);
      assert.match(r.stderr, /hint: Put the file back/);
    });

    it('refuses a pending migration older than the newest applied: out_of_order, unless allowed', async () => {
      const { r, db, dir } = await refuses(
        'out_of_order',
        (dir) => writeFiles(dir, { '0004_from_a_branch.sql': 'CREATE TABLE branch_t (id integer);\n' }),
        { '0005_late.sql': 'SELECT 1;\n' },
      );
      assert.match(r.stderr, /0004_from_a_branch is pending but older than the newest applied migration 0005_late/);
      const allowed = await molt(['migrate', '--allow-out-of-order', '--db', db.url, '--dir', dir]);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal((await queryDb(db, 'SELECT * FROM branch_t')).length, 0);
    });

    it('refuses a database with an unknown contract migration: unknown_applied, naming the app version', async () => {
      const db = await fresh();
      const newer = migrationsDir({
        ...base,
        '0003_drop_body.sql': '-- molt:phase contract\nCREATE TABLE dropped_marker (id integer);\n',
      });
      assert.equal((await molt(['migrate', '--db', db.url, '--dir', newer, '--app-version', '2.0.0'])).code, 0);
      const older = migrationsDir(base);
      const before = await queryDb(db, HISTORY);
      const r = await molt(['migrate', '--db', db.url, '--dir', older]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /contract migration 0003_drop_body, applied by app 2\.0\.0/);
      assert.match(r.stderr, /Run app version 2\.0\.0 or later, or restore the backup/);
      assert.deepEqual(await queryDb(db, HISTORY), before);
      assert.equal((await molt(['verify', '--db', db.url, '--dir', older])).code, 3);
    });

    it('lets an older binary start on a newer schema when every unknown migration is expand (compatibility mode)', async () => {
      const db = await fresh();
      const newer = migrationsDir({ ...base, '0003_add_table.sql': 'CREATE TABLE added (id integer);\n' });
      assert.equal((await molt(['migrate', '--db', db.url, '--dir', newer])).code, 0);
      const older = migrationsDir(base);
      const r = await molt(['migrate', '--db', db.url, '--dir', older]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Compatibility mode: the database has 1 expand migration/);
      const v = await molt(['verify', '--json', '--db', db.url, '--dir', older]);
      assert.equal(v.code, 0);
      assert.deepEqual(reportOf(v.stdout).unknown, [{ version: '0003', name: 'add_table', phase: 'expand' }]);
    });

    it('after a part-way failure: an edited applied statement is refused; repair settles it with confirmation', async () => {
      const db = await fresh();
      const dir = migrationsDir({
        ...base,
        '0003_partial.sql':
          '-- molt:transaction off\nCREATE TABLE partial_a (id integer);\nCREATE TABLE partial_b (id integer);\nINSERT INTO no_such_table VALUES (1);\n',
      });
      const first = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(first.code, 4);
      assert.match(
        first.stderr,
        /Migration 0003_partial failed at .*0003_partial\.sql:4 \(statement 3 of 3\): .*no_such_table/,
      );
      assert.match(first.stderr, /Statements 1 to 2 stayed applied and are recorded/);
      // Someone "fixes" the file by editing a statement that already ran: resuming would be a lie.
      writeFiles(dir, {
        '0003_partial.sql':
          '-- molt:transaction off\nCREATE TABLE partial_a (id bigint);\nCREATE TABLE partial_b (id integer);\nSELECT 1;\n',
        '0004_next.sql': 'SELECT 1;\n',
      });
      const before = await queryDb(db, HISTORY);
      const second = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(second.code, 3, second.stderr);
      assert.match(
        second.stderr,
        /\[?applied_statement_changed|Migration 0003_partial is partially applied \(2 of 3 statements\), but statement 1 at .*0003_partial\.sql:2 differs/,
      );
      assert.match(second.stderr, /molt repair --resolve applied/);
      assert.deepEqual(await queryDb(db, HISTORY), before);
      const noResolve = await molt(['repair', '--yes', '--db', db.url, '--dir', dir]);
      assert.equal(noResolve.code, 9);
      // Without --yes, repair only lists what it would do.
      const listed = await molt(['repair', '--resolve', 'rolled-back', '--db', db.url, '--dir', dir]);
      assert.match(listed.stdout + listed.stderr, /forget 0003_partial/);
      assert.deepEqual(await queryDb(db, HISTORY), before);
      // The person drops the half-made tables by hand and tells molt so.
      await queryDb(db, 'DROP TABLE partial_a');
      await queryDb(db, 'DROP TABLE partial_b');
      assert.equal((await molt(['repair', '--resolve', 'rolled-back', '--yes', '--db', db.url, '--dir', dir])).code, 0);
      const third = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /migrated from 0002 to 0004/);
      assert.equal(await hasTable(db, 'partial_a'), true);
    });

    const nonTransactionalDdl =
      kind === 'mysql' ? 'MySQL commits each DDL statement; test/partial-resume covers its failures' : false;
    it(
      'rolls back a failing transactional migration whole and names the file, line and database message',
      { skip: nonTransactionalDdl },
      async () => {
        const db = await fresh();
        const dir = migrationsDir({
          ...base,
          '0003_bad.sql':
            '-- a comment\nCREATE TABLE bad_a (id integer);\n\nINSERT INTO bad_a\n  SELECT * FROM missing_table;\n',
        });
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 4);
        assert.match(
          r.stderr,
          new RegExp(`0003_bad\\.sql:${kind === 'postgres' ? 5 : 4} \\(statement 2 of 2\\): .*missing_table`),
        );
        assert.match(r.stderr, /Nothing of this migration stayed applied/);
        assert.equal(await hasTable(db, 'bad_a'), false, 'the failed migration left a table behind');
        // A rolled-back failure does not block: fix the file and run again.
        writeFiles(dir, { '0003_bad.sql': 'CREATE TABLE bad_a (id integer);\n' });
        assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
      },
    );

    it('moves history tables an older molt created forward, and status reads them before that', async () => {
      const db = await fresh();
      const dir = migrationsDir(base);
      assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
      // What molt 0.1 left behind: no statement_hashes column, no jobs, instances, releases, upgrades or fleet table, meta at 1.
      await queryDb(db, 'ALTER TABLE _molt_migrations DROP COLUMN statement_hashes');
      await queryDb(db, 'DROP TABLE _molt_migrations_jobs');
      await queryDb(db, 'DROP TABLE _molt_migrations_instances');
      await queryDb(db, 'DROP TABLE _molt_migrations_releases');
      await queryDb(db, 'DROP TABLE _molt_migrations_upgrades');
      for (const part of ['agents', 'state', 'dispatches', 'audit'])
        await queryDb(db, `DROP TABLE _molt_migrations_fleet_${part}`);
      await queryDb(db, 'DELETE FROM _molt_migrations_meta WHERE version >= 2');
      const status = await molt(['status', '--json', '--db', db.url, '--dir', dir]);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(reportOf(status.stdout).applied.length, 2);
      writeFiles(dir, { '0003_more.sql': 'CREATE TABLE more_t (id integer);\n' });
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      const rows = await queryDb<{ version: string; statement_hashes: string | null }>(
        db,
        'SELECT version, statement_hashes FROM _molt_migrations ORDER BY version',
      );
      assert.deepEqual(
        rows.map((row) => [row.version, row.statement_hashes === null]),
        [
          ['0001', true],
          ['0002', true],
          ['0003', false],
        ],
      );
    });

    it('--dry-run lists what would run and changes nothing', async () => {
      const db = await fresh();
      const dir = migrationsDir(base);
      const r = await molt(['migrate', '--dry-run', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /would apply +0001_create_notes/);
      assert.match(r.stdout, /dry run: 2 migration\(s\) would run; nothing was changed/);
      const status = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
      assert.equal(status.applied.length, 0);
      assert.equal(status.pending.length, 2);
    });

    it('--phase expand stops before the first contract migration', async () => {
      const db = await fresh();
      const dir = migrationsDir({
        ...base,
        '0003_contract.sql': '-- molt:phase contract\nCREATE TABLE c3 (id integer);\n',
        '0004_after.sql': 'CREATE TABLE c4 (id integer);\n',
      });
      const r = await molt(['migrate', '--phase', 'expand', '--json', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(reportOf(r.stdout).to, '0002');
      assert.equal(reportOf((await molt(['migrate', '--json', '--db', db.url, '--dir', dir])).stdout).to, '0004');
    });

    it('baseline adopts an existing database; later migrations apply as usual', async () => {
      const db = await fresh();
      await queryDb(db, 'CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL)');
      const dir = migrationsDir({ ...base, '0003_next.sql': 'CREATE TABLE next_t (id integer);\n' });
      const b = await molt(['baseline', '0002', '--db', db.url, '--dir', dir]);
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /baseline at 0002: 2 migration\(s\) recorded as applied/);
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /migrated from 0002 to 0003 \(1 migration,/);
      assert.equal(
        (await queryDb(db, 'SELECT * FROM notes')).length,
        0,
        'baseline ran a migration it should only record',
      );
      assert.equal((await molt(['baseline', '0002', '--db', db.url, '--dir', dir])).code, 9);
    });

    it(
      'a mixed file (CONCURRENTLY with ordinary statements) is refused before anything runs',
      { skip: kind !== 'postgres' ? `${kind} has no statement that must run outside a transaction` : false },
      async () => {
        const db = await fresh();
        const dir = migrationsDir({
          ...base,
          '0003_mixed.sql': 'CREATE TABLE m (id integer);\nCREATE INDEX CONCURRENTLY m_id ON m (id);\n',
        });
        const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
        assert.equal(r.code, 8);
        assert.match(
          r.stderr,
          /0003_mixed\.sql:2: "CREATE INDEX CONCURRENTLY m_id ON m \(id\)" cannot run inside a transaction/,
        );
        assert.match(r.stderr, /molt:transaction off/);
        assert.equal((await queryDb(db, HISTORY)).length, 0);
      },
    );
  });
}

describe('molt CLI without a database', () => {
  it('names the file when a migration name does not parse', async () => {
    const dir = migrationsDir({ 'init.sql': 'SELECT 1;' });
    const r = await molt(['status', '--db', 'sqlite::memory:', '--dir', dir]);
    assert.equal(r.code, 8);
    assert.match(r.stderr, /init\.sql: file name does not parse as <version>_<name>\.sql/);
  });

  it('names both files of a duplicate version', async () => {
    const dir = migrationsDir({ '0001_a.sql': 'SELECT 1;', '1_b.sql': 'SELECT 1;' });
    const r = await molt(['status', '--db', 'sqlite::memory:', '--dir', dir]);
    assert.equal(r.code, 8);
    assert.match(r.stderr, /Version 1 is used twice: .*0001_a\.sql and .*1_b\.sql/);
  });

  it('names the line of an unknown molt: directive', async () => {
    const dir = migrationsDir({ '0001_a.sql': '-- header\n-- molt:phaze contract\nSELECT 1;' });
    const r = await molt(['status', '--json', '--db', 'sqlite::memory:', '--dir', dir]);
    assert.equal(r.code, 8);
    assert.match(r.stderr, /0001_a\.sql:2: unknown directive "molt:phaze"/);
    assert.equal(JSON.parse(r.stdout).error.code, 'MIGRATION_FILE_INVALID');
  });

  it('never prints a password from the URL', async () => {
    const r = await molt([
      'migrate',
      '--db',
      'postgres://app:s3cret-pw@127.0.0.1:1/none',
      '--dir',
      migrationsDir({}),
      '--json',
    ]);
    assert.equal(r.code, 6);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pw/);
    assert.match(r.stderr, /postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/none/);
  });

  it('creates the next migration in the style of the directory, tagged when --contract', async () => {
    const dir = migrationsDir({ '0007_a.sql': 'SELECT 1;' });
    const r = await molt(['new', 'Drop old column', '--contract', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created .*0008_drop_old_column\.sql/);
    assert.match(readFileSync(join(dir, '0008_drop_old_column.sql'), 'utf8'), /^-- molt:phase contract\n/);
  });

  it('prints help and exits 2 on an unknown flag', async () => {
    assert.match((await molt(['--help'])).stdout, /Usage: molt <command>/);
    const r = await molt(['migrate', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--bogus'/);
  });
});

// Clear errors instead of exit 1 or a hang, Ctrl-C, and what a new user trips over (issue 14, items 13 to 18).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, cleanEnv, migrationsDir, molt, writeFiles, reportOf } from './helpers/cli.js';
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

const made: TestDatabase[] = [];
after(async () => {
  for (const db of made) await db.drop();
});
const sqlite = async (): Promise<TestDatabase> => {
  const db = await createSqliteDatabase();
  made.push(db);
  return db;
};

describe('bad files and values get their documented code and a message naming them', () => {
  it('a FIFO named *.sql is refused at once instead of hanging migrate and status', async () => {
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    execFileSync('mkfifo', [join(dir, '0002_pipe.sql')]);
    const db = await sqlite();
    for (const command of ['migrate', 'status']) {
      const r = await molt([command, '--db', db.url, '--dir', dir], { timeoutMs: 15_000 });
      assert.equal(r.code, 8, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /0002_pipe\.sql: is not a regular file \(a FIFO\)/);
    }
  });

  it('dangling and looping symlinks are refused naming the link', async () => {
    const dir = migrationsDir({});
    symlinkSync(join(dir, 'nowhere.sql'), join(dir, '0001_dangling.sql'));
    let r = await molt(['migrate', '--db', (await sqlite()).url, '--dir', dir]);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /0001_dangling\.sql: is a symlink to nothing/);
    const loop = migrationsDir({});
    symlinkSync(join(loop, '0001_loop.sql'), join(loop, '0001_loop.sql'));
    r = await molt(['migrate', '--db', (await sqlite()).url, '--dir', loop]);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /0001_loop\.sql: is a symlink that loops/);
  });

  it('an unreadable file is refused naming it (run as an unprivileged user)', async (t) => {
    const dir = migrationsDir({ '0001_secret.sql': 'CREATE TABLE a (x int);\n' });
    execFileSync('chmod', ['0700', dir]);
    execFileSync('chmod', ['0000', join(dir, '0001_secret.sql')]);
    if (process.getuid?.() !== 0) {
      t.skip('needs root to run molt as the nobody user, which is what shows a permission error');
      return;
    }
    execFileSync('chmod', ['0755', dir]);
    const out = mkdtempSync(join(tmpdir(), 'molt-nobody-'));
    execFileSync('chmod', ['0777', out]);
    let r: { code: number | null; stderr: string };
    try {
      execFileSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          BIN,
          'migrate',
          '--db',
          `sqlite:${join(out, 'x.db')}`,
          '--dir',
          dir,
        ],
        { env: cleanEnv(), stdio: 'pipe' },
      );
      r = { code: 0, stderr: '' };
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      r = { code: e.status, stderr: e.stderr.toString() };
    }
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /0001_secret\.sql: cannot be read: permission denied/);
  });

  it('a # in a PostgreSQL password and an unknown URL parameter are usage errors naming the fix', async () => {
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    let r = await molt(['status', '--db', 'postgres://app:pa#ss@127.0.0.1:5432/test', '--dir', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /# as %23/);
    assert.ok(!r.stderr.includes('pa#ss'));
    r = await molt(['status', '--db', 'postgres://postgres@127.0.0.1:5432/test?sslmod=require', '--dir', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown parameter "sslmod"/);
  });

  it('a 300-character name for molt new is a usage error, and nothing is written', async () => {
    const dir = migrationsDir({});
    const r = await molt(['new', 'x'.repeat(300), '--dir', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /300 characters long; molt takes at most 120/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("an over-long --table and one in the database's own schema are refused, and PostgreSQL gets no stray table", async () => {
    const db = await createPostgresDatabase();
    made.push(db);
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    let r = await molt(['migrate', '--table', `t${'x'.repeat(70)}`, '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is too long: PostgreSQL keeps 63 bytes/);
    r = await molt(['migrate', '--table', 'pg_catalog.pg_class', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /lies in PostgreSQL's own schema "pg_catalog"/);
    assert.deepEqual(
      await pgAdmin(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        [],
        db.url,
      ),
      [],
    );
  });

  it('status and verify do not create a mistyped SQLite path or its directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'molt-typo-'));
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    for (const command of ['status', 'verify']) {
      const r = await molt([command, '--db', `sqlite:${join(root, 'dta', 'app.db')}`, '--dir', dir]);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /SQLite database .*dta\/app\.db does not exist/);
    }
    assert.deepEqual(readdirSync(root), []);
  });
});

describe('SQLite locks', () => {
  /** Holds the database with BEGIN EXCLUSIVE in another process for `ms`, and resolves once it holds it. */
  async function holdExclusive(path: string, ms: number): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `
      const Database = require(${JSON.stringify(join(process.cwd(), 'node_modules', 'better-sqlite3'))});
      const db = new Database(${JSON.stringify(path)}); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('held\\n');
      setTimeout(() => db.exec('COMMIT'), ${ms});`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
  }

  it('another process holding BEGIN EXCLUSIVE: status names it with exit 5, and migrate gives up within --lock-timeout', async () => {
    const db = await sqlite();
    const path = db.url.slice('sqlite:'.length);
    // A database another tool made, in SQLite's default rollback-journal mode, where an exclusive lock blocks readers.
    await queryDb(db, 'PRAGMA user_version = 1');
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    writeFiles(dir, { '0002_b.sql': 'CREATE TABLE b (x int);\n' });
    await holdExclusive(path, 8_000);
    const s = await molt(['status', '--lock-timeout', '2s', '--db', db.url, '--dir', dir]);
    assert.equal(s.code, 5, s.stderr);
    assert.match(s.stderr, /stayed locked by pid \d+ \(.*node/);
    const started = Date.now();
    const m = await molt(['migrate', '--lock-timeout', '2s', '--db', db.url, '--dir', dir]);
    const took = Date.now() - started;
    assert.equal(m.code, 5, m.stderr);
    // It gave up at its 2 s, not when the 8 s hold ended (the rest is the CLI's start on a busy machine).
    assert.ok(took < 6_000, `--lock-timeout 2s took ${took} ms`);
  });

  it('in a database molt made, status and verify read while a migration holds the write lock', async () => {
    const db = await sqlite();
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    writeFiles(dir, {
      '0002_slow.sql':
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) INSERT INTO a SELECT i FROM n;\n',
    });
    const child = spawn(process.execPath, [BIN, 'migrate', '--db', db.url, '--dir', dir], {
      env: cleanEnv(),
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await sleep(400);
    const s = await molt(['status', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(reportOf(s.stdout).applied.length, 1);
    await exited;
  });
});

/** Waits until molt runs a statement containing `text` on the MariaDB database `db` (at most 20 s). */
async function mysqlRunning(db: TestDatabase, text: string): Promise<void> {
  const name = new URL(db.url).pathname.slice(1);
  const by = Date.now() + 20_000;
  while (Date.now() < by) {
    const rows = await mysqlAdmin('SELECT 1 FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?', [
      name,
      `%${text}%`,
    ]);
    if (rows.length > 0) return;
    await sleep(20);
  }
  throw new Error(`molt never ran ${text}`);
}

/** Waits until molt runs a statement containing `text` on the PostgreSQL database `db` (at most 20 s). */
async function pgRunning(db: TestDatabase, text: string): Promise<void> {
  const name = new URL(db.url).pathname.slice(1);
  const by = Date.now() + 20_000;
  while (Date.now() < by) {
    const rows = await pgAdmin(
      "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'molt' AND query LIKE $2",
      [name, `%${text}%`],
    );
    if (rows.length > 0) return;
    await sleep(20);
  }
  throw new Error(`molt never ran ${text}`);
}

describe('Ctrl-C during migrate', () => {
  const slowSet = (slow: string): Record<string, string> => ({
    '0001_slow.sql': `CREATE TABLE a (x int);\n${slow}\n`,
    '0002_b.sql': 'CREATE TABLE b (x int);\n',
    '0003_c.sql': 'CREATE TABLE c (x int);\n',
  });
  const SLOW = {
    sqlite:
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000000) INSERT INTO a SELECT i FROM n;',
    postgres: 'SELECT pg_sleep(1.5);',
    mysql: 'SELECT SLEEP(1.5);',
  };

  for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
    it(`${kind}: the first Ctrl-C stops after the current migration with a summary and exit 130`, async () => {
      const db =
        kind === 'sqlite'
          ? await sqlite()
          : kind === 'postgres'
            ? await createPostgresDatabase()
            : await createMysqlDatabase();
      if (kind !== 'sqlite') made.push(db);
      const dir = migrationsDir(slowSet(SLOW[kind]));
      const child = spawn(process.execPath, [BIN, 'migrate', '--db', db.url, '--dir', dir], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      // While the first migration runs: SQLite shows nothing from outside, so its statement is made long instead.
      if (kind === 'postgres') await pgRunning(db, 'pg_sleep');
      else if (kind === 'mysql') await mysqlRunning(db, 'SLEEP(1.5)');
      else {
        // The run's connection makes the -wal file; the statement is long enough that 300 ms later it still runs.
        const wal = `${db.url.slice('sqlite:'.length)}-wal`;
        while (!existsSync(wal)) await sleep(10);
        await sleep(300);
      }
      child.kill('SIGINT');
      assert.equal(await code, 130, stderr);
      assert.match(stderr, /Interrupted: 1 migration applied \(now at 0001\), 2 left for the next run/);
      assert.match(stdout, /interrupted at 0001: 1 applied, 2 left/);
      assert.deepEqual(
        (await queryDb<{ version: string }>(db, 'SELECT version FROM _molt_migrations')).map((r) => r.version),
        ['0001'],
      );
      const again = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(await hasTable(db, 'c'), true);
    });
  }

  it('postgres: a second Ctrl-C stops at once, and the history stays consistent', async () => {
    const db = await createPostgresDatabase();
    made.push(db);
    const dir = migrationsDir(slowSet('SELECT pg_sleep(5);'));
    const child = spawn(process.execPath, [BIN, 'migrate', '--db', db.url, '--dir', dir], {
      env: cleanEnv(),
      stdio: 'ignore',
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    await pgRunning(db, 'pg_sleep');
    child.kill('SIGINT');
    await sleep(200);
    const sent = Date.now();
    child.kill('SIGINT');
    const { signal, at } = await exit;
    assert.equal(signal, 'SIGINT');
    assert.ok(at - sent < 1_000, `the second Ctrl-C took ${at - sent} ms`);
    await sleep(300);
    const status = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
    assert.deepEqual([status.applied.length, status.problems], [0, []]);
  });
});

describe('what a new user trips over', () => {
  it('molt new in a Prisma layout makes a folder with migration.sql, and every command still reads the directory', async () => {
    const dir = migrationsDir({ '20240101120000_init/migration.sql': 'CREATE TABLE a (x int);\n' });
    const r = await molt(['new', 'add b', '--dir', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { path } = reportOf(r.stdout);
    assert.match(path, /\d{14}_add_b\/migration\.sql$/);
    assert.ok(existsSync(join(dir, path.split('/').slice(-2).join('/'))));
    const s = await molt(['migrate', '--dry-run', '--json', '--db', (await sqlite()).url, '--dir', dir]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(reportOf(s.stdout).migrations.length, 2);
  });

  it('molt new, then writing the migration, then migrate applies it: molt.sum is reported stale, not an edit', async () => {
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    assert.equal((await molt(['sum', '--dir', dir])).code, 0);
    const created = reportOf((await molt(['new', 'add_b', '--dir', dir, '--json'])).stdout);
    writeFileSync(
      join(dir, '0002_add_b.sql'),
      `${readFileSync(join(dir, '0002_add_b.sql'), 'utf8')}CREATE TABLE b (x int);\n`,
    );
    assert.match(created.path, /0002_add_b\.sql$/);
    const db = await sqlite();
    for (let i = 0; i < 2; i++) {
      const r = await molt(['migrate', '--db', db.url, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /0002_add_b\.sql changed since `molt new` recorded it in molt\.sum; run `molt sum` before you commit/,
      );
    }
    // An edit to a migration molt.sum recorded as written is still refused.
    writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (x int, y int);\n');
    const edited = await molt(['migrate', '--db', (await sqlite()).url, '--dir', dir]);
    assert.equal(edited.code, 8, edited.stderr);
    assert.match(edited.stderr, /0001_a\.sql \(edited\)/);
  });

  it('verify says PENDING (exit 7) for an expand migration, passes a contract one (it runs after the roll), and drift DRIFT (exit 3); --phase expand names the contract migration it held back', async () => {
    const db = await sqlite();
    const dir = migrationsDir({
      '0001_a.sql': 'CREATE TABLE a (x int);\n',
      '0002_drop.sql': '-- molt:phase contract\nDROP TABLE a;\n',
    });
    const v = await molt(['verify', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(v.code, 6, v.stderr);
    const m = await molt(['migrate', '--phase', 'expand', '--db', db.url, '--dir', dir]);
    assert.equal(m.code, 0, m.stderr);
    assert.match(
      m.stdout,
      /held back 1 migration from the first contract one on \(0002_drop contract\): run `molt migrate --phase all`/,
    );
    const contractOnly = await molt(['verify', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(contractOnly.code, 0, contractOnly.stderr);
    assert.deepEqual(
      reportOf(contractOnly.stdout).pending.map((m: { name: string }) => m.name),
      ['drop'],
    );
    writeFileSync(join(dir, '0003_b.sql'), 'CREATE TABLE b (x int);\n');
    const pending = await molt(['verify', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(pending.code, 7, pending.stderr);
    assert.equal(JSON.parse(pending.stdout).error.code, 'PENDING');
    assert.match(JSON.parse(pending.stdout).error.message, /1 pending migration\(s\), first 0003_b/);
    rmSync(join(dir, '0003_b.sql'));
    writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (x int, y int);\n');
    const drift = await molt(['verify', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(drift.code, 3, drift.stderr);
    assert.equal(JSON.parse(drift.stdout).error.code, 'DRIFT');
    assert.equal(JSON.parse(drift.stdout).report.problems[0].code, 'checksum_mismatch');
    // As text, a database that does not fit shows the status, never the "ok" line.
    const text = await molt(['verify', '--db', db.url, '--dir', dir]);
    assert.equal(text.code, 3, text.stderr);
    assert.doesNotMatch(text.stdout, /^ok:/m);
    assert.match(text.stdout, /problems +1/);
    assert.match(text.stderr, /molt: error: Database .* does not match this binary: Migration 0001_a was edited/);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  openSync,
  readSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MoltError } from '../src/errors.js';
import { createSqliteDumper, sqliteDumper } from '../src/backup/dumpers/sqlite.js';
import { sqliteSnapshot } from '../src/backup/dumpers/sqlite-snapshot.js';
import { backup, restore } from '../src/backup/index.js';
import type { Snapshot } from '../src/backup/types.js';
import type { DumpTarget } from '../src/backup/types.js';
import { ACCOUNTS, START_BALANCE, writerInvariants } from './helpers/sqlite-writer.js';

const WRITER = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'sqlite-writer.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-backup-sqlite-'));
  dirs.push(dir);
  return dir;
}

const targetOf = (path: string): DumpTarget => ({ url: `sqlite:${path}`, path, serverVersion: 'SQLite test' });
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const quiet = (): void => undefined;

/** Starts the writer child on `file` and resolves once it has committed its first transfer. */
async function startWriter(file: string, mode: 'wal' | 'delete'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WRITER, file, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the writer exited early with ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Opens a database in the test process, runs `fn`, and closes it (which also cleans its -wal and -shm). */
function withDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true, timeout: 10_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function counterOf(file: string): number {
  return withDb(file, (db) => (db.prepare("SELECT n FROM counter WHERE k = 'log'").get() as { n: number }).n);
}

/** Everything a round trip must keep: sqlite_schema rows, a hash of every table's rows, and the header pragmas. */
function fingerprint(file: string): Record<string, unknown> {
  return withDb(file, (db) => {
    db.defaultSafeIntegers(true);
    const schema = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').raw().all();
    const tables = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]
    ).map((name) => {
      const columns = db.prepare(`SELECT count(*) FROM pragma_table_info(?)`).pluck().get(name) as bigint;
      const order = Array.from({ length: Number(columns) }, (_, i) => i + 1).join(', ');
      const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY ${order}`).raw().all();
      const text = JSON.stringify(rows, (_k, v) =>
        typeof v === 'bigint' ? `${v}n` : v?.type === 'Buffer' ? `x'${Buffer.from(v.data).toString('hex')}'` : v,
      );
      return [name, rows.length, createHash('sha256').update(text).digest('hex')];
    });
    const pragma = (name: string): unknown => db.pragma(name, { simple: true });
    return {
      schema: JSON.stringify(schema, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      tables,
      user_version: pragma('user_version'),
      application_id: pragma('application_id'),
      journal_mode: pragma('journal_mode'),
      page_size: pragma('page_size'),
      integrity: pragma('integrity_check'),
    };
  });
}

/** A database using what a service's schema may hold: AUTOINCREMENT, WITHOUT ROWID, blobs, big integers, a view, a trigger, FTS5. */
function createRich(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('user_version = 17');
  db.pragma('application_id = 1297044564');
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, photo BLOB, score REAL, big INTEGER);
    CREATE TABLE tags (user_id INTEGER NOT NULL REFERENCES users (id), tag TEXT NOT NULL, PRIMARY KEY (user_id, tag)) WITHOUT ROWID;
    CREATE INDEX users_name ON users (name);
    CREATE VIEW user_tags AS SELECT u.name, t.tag FROM users u JOIN tags t ON t.user_id = u.id;
    CREATE TABLE audit (at INTEGER, what TEXT);
    CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (NEW.id, 'insert ' || NEW.name); END;
    CREATE VIRTUAL TABLE notes USING fts5 (body);
  `);
  const user = db.prepare('INSERT INTO users (name, photo, score, big) VALUES (?, randomblob(64), ?, ?)');
  const tag = db.prepare('INSERT INTO tags VALUES (?, ?)');
  const note = db.prepare('INSERT INTO notes (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 1; i <= 1500; i++) {
      user.run(`user ${i} ✓`, i / 7, 9_007_199_254_740_993n + BigInt(i));
      tag.run(i, i % 2 ? 'odd' : 'even');
      note.run(`note number ${i} about user ${i}`);
    }
  })();
  db.exec('DELETE FROM tags WHERE user_id % 10 = 0; DELETE FROM users WHERE id % 10 = 0');
  db.close();
}

/** A dump of a fresh rich database, in a directory of its own. */
async function richDump(): Promise<{ source: string; dump: string; dir: string }> {
  const dir = workDir();
  const source = join(dir, 'source.db');
  createRich(source);
  const dump = join(dir, 'dump', sqliteDumper.fileName);
  mkdirSync(dirname(dump));
  await sqliteDumper.dump(targetOf(source), dump, quiet);
  return { source, dump, dir };
}

async function rejects(promise: Promise<unknown>, code: string, mentions: string): Promise<MoltError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof MoltError, `expected a MoltError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.includes(mentions), `"${error.message}" should mention ${mentions}`);
  return error;
}

describe('the SQLite dumper', () => {
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('preflight names the SQLite library version', async () => {
    assert.match(
      await sqliteDumper.preflight(targetOf('/nowhere.db')),
      /^SQLite 3\.\d+\.\d+ \(better-sqlite3 \d+\.\d+\.\d+\)$/,
    );
  });

  for (const mode of ['wal', 'delete'] as const) {
    it(
      `a backup taken while another process writes continuously (${mode} journal) finishes, checks and restores consistent`,
      { timeout: 60_000 },
      async () => {
        const dir = workDir();
        const live = join(dir, 'live.db');
        // 2 MB of rows already there, so the copy takes over a hundred steps.
        const seed = new Database(live);
        seed.exec(
          'CREATE TABLE filler (body BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO filler SELECT randomblob(400) FROM n;',
        );
        seed.close();
        const writer = await startWriter(live, mode);
        // A rollback-journal writer fsyncs every commit, so it is two orders of magnitude slower.
        while (counterOf(live) < (mode === 'wal' ? 3000 : 100)) await new Promise((r) => setTimeout(r, 20));
        const before = counterOf(live);
        const events: { bytes: number; total?: number }[] = [];
        const dump = join(dir, 'dump.sqlite');
        const started = Date.now();
        // 16 KiB steps: hundreds of steps with writes landing between them, none of which may restart the copy.
        await createSqliteDumper({ stepBytes: 16 << 10 }).dump(targetOf(live), dump, (e) => events.push(e));
        const elapsed = Date.now() - started;
        const afterDump = counterOf(live);
        await stop(writer);

        assert.ok(elapsed < 30_000, `the dump took ${elapsed} ms`);
        assert.ok(events.length > 20, `only ${events.length} progress events: the copy did not run in steps`);
        for (let i = 1; i < events.length; i++)
          assert.ok(events[i].bytes >= events[i - 1].bytes, `progress went back at event ${i}: the backup restarted`);
        const last = events.at(-1)!;
        assert.equal(last.bytes, last.total);
        assert.equal(last.bytes, statSync(dump).size);
        assert.deepEqual(
          readdirSync(dir).filter((f) => f.startsWith('dump')),
          ['dump.sqlite'],
          'nothing may be left beside the dump',
        );
        if (mode === 'wal') assert.ok(afterDump > before, 'in WAL mode the writer must go on while the dump runs');

        await sqliteDumper.check(targetOf(live), dump);
        const restored = join(dir, 'restored', 'app.db');
        await sqliteDumper.restore(targetOf(restored), dump, quiet);
        withDb(restored, (db) => {
          assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
          const inv = writerInvariants(db);
          assert.equal(inv.accounts, ACCOUNTS);
          assert.equal(inv.total, ACCOUNTS * START_BALANCE, 'money appeared or vanished: the copy mixes two moments');
          assert.equal(inv.counter, inv.logRows, 'the counter and the log disagree: the copy mixes two moments');
          assert.ok(
            inv.logRows >= before && inv.logRows <= afterDump,
            `${inv.logRows} log rows, expected between ${before} and ${afterDump}`,
          );
          assert.equal(
            db.pragma('journal_mode', { simple: true }),
            mode,
            'the restored database keeps the journal mode of the original',
          );
        });
      },
    );
  }

  for (const mode of ['wal', 'delete'] as const) {
    it(
      `an in-place snapshot (${mode} journal) stays one moment while another process writes, and the writer is ${mode === 'wal' ? 'not blocked' : 'held back'}`,
      { timeout: 60_000 },
      async () => {
        const dir = workDir();
        const live = join(dir, 'live.db');
        const writer = await startWriter(live, mode);
        while (counterOf(live) < (mode === 'wal' ? 2000 : 50)) await new Promise((r) => setTimeout(r, 20));
        // A writer can slip in between the checkpoint and the read lock; then there is no snapshot this time.
        let snapshot: Snapshot | null = null;
        for (let i = 0; i < 200 && !snapshot; i++) snapshot = await sqliteSnapshot(live);
        assert.ok(snapshot, 'no in-place snapshot in 200 tries');
        const bytes = Buffer.alloc(snapshot.size);
        const fd = openSync(live, 'r');
        const half = Math.floor(snapshot.size / 2);
        readSync(fd, bytes, 0, half, 0);
        const during = counterOf(live);
        await new Promise((r) => setTimeout(r, 300));
        const later = counterOf(live);
        readSync(fd, bytes, half, snapshot.size - half, half);
        closeSync(fd);
        snapshot.release();
        await stop(writer);
        if (mode === 'wal') assert.ok(later > during, 'in WAL mode the writer must go on while the snapshot is held');
        else assert.equal(later, during, 'in rollback-journal mode the read lock must hold the writer back');
        const copy = join(dir, 'copy.db');
        writeFileSync(copy, bytes);
        withDb(copy, (db) => {
          assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
          const inv = writerInvariants(db);
          assert.equal(
            inv.total,
            ACCOUNTS * START_BALANCE,
            'money appeared or vanished: the snapshot mixes two moments',
          );
          assert.equal(inv.counter, inv.logRows, 'the counter and the log disagree: the snapshot mixes two moments');
          assert.ok(
            inv.logRows <= during,
            `the snapshot holds ${inv.logRows} rows, more than existed when it was read (${during})`,
          );
        });
      },
    );
  }

  it(
    'backup() while another process writes (WAL) gives archives that restore consistent, ten times over',
    { timeout: 120_000 },
    async () => {
      const dir = workDir();
      const live = join(dir, 'live.db');
      const writer = await startWriter(live, 'wal');
      while (counterOf(live) < 2000) await new Promise((r) => setTimeout(r, 20));
      const counts: number[] = [];
      for (let i = 0; i < 10; i++) {
        const report = await backup({
          db: `sqlite:${live}`,
          backupDir: join(dir, 'backups'),
          file: join(dir, `b${i}.tar.gz`),
        });
        const restored = join(dir, `r${i}.db`);
        await restore({ db: `sqlite:${restored}`, file: report.file, yes: true });
        withDb(restored, (db) => {
          const inv = writerInvariants(db);
          assert.equal(inv.total, ACCOUNTS * START_BALANCE, `archive ${i}: money appeared or vanished`);
          assert.equal(inv.counter, inv.logRows, `archive ${i}: the counter and the log disagree`);
          counts.push(inv.logRows);
        });
      }
      await stop(writer);
      assert.ok(counts.at(-1)! > counts[0], `the writer went on between backups: ${counts.join(', ')}`);
    },
  );

  it('round trip: schema, every table, user_version and application_id are identical, into a missing and into an existing database', async () => {
    const { source, dump, dir } = await richDump();
    const expected = fingerprint(source);
    assert.equal(expected.integrity, 'ok');

    const missing = join(dir, 'not', 'yet', 'there.db');
    await sqliteDumper.check(targetOf(missing), dump);
    await sqliteDumper.restore(targetOf(missing), dump, quiet);
    assert.deepEqual(fingerprint(missing), expected);

    const existing = join(dir, 'existing.db');
    const other = new Database(existing);
    other.exec("CREATE TABLE unrelated (x TEXT); INSERT INTO unrelated VALUES ('old data'); PRAGMA user_version = 3;");
    other.close();
    chmodSync(existing, 0o600);
    const events: { phase: string; bytes: number; total?: number }[] = [];
    await sqliteDumper.restore(targetOf(existing), dump, (e) => events.push(e));
    assert.deepEqual(fingerprint(existing), expected);
    assert.equal(statSync(existing).mode & 0o777, 0o600, "the restored file keeps the old file's permissions");
    assert.equal(events.at(-1)?.phase, 'restore');
    assert.equal(events.at(-1)?.bytes, statSync(dump).size);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('molt-restore')),
      [],
      'no temporary file is left',
    );
  });

  it('restore through a symlink replaces the file it points to, with its owner', async () => {
    const { source, dump, dir } = await richDump();
    const real = join(dir, 'data', 'real.db');
    mkdirSync(dirname(real));
    createRich(real);
    withDb(real, (db) => db.exec('DROP TABLE audit'));
    const link = join(dir, 'app.db');
    symlinkSync(real, link);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(real, 65534, 65534);
    await sqliteDumper.restore(targetOf(link), dump, quiet);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the symlink is still a symlink');
    assert.deepEqual(fingerprint(real), fingerprint(source));
    if (asRoot) assert.equal(statSync(real).uid, 65534, 'a restore run as root keeps the service user as owner');
  });

  it('a stale -wal beside the target does not leak into the restored database', { timeout: 60_000 }, async () => {
    const { source, dump, dir } = await richDump();
    const expected = fingerprint(source);

    // The old database's own -wal, full of committed frames: a service killed with SIGKILL leaves one.
    const old = join(dir, 'old.db');
    await stop(await startWriter(old, 'wal'), 'SIGKILL');
    assert.ok(statSync(old + '-wal').size > 0, 'the killed writer should leave frames in its -wal');
    await sqliteDumper.restore(targetOf(old), dump, quiet);
    assert.deepEqual(fingerprint(old), expected);

    // A -wal left by a database that is gone: SQLite would replay it into whatever file takes the name.
    const gone = join(dir, 'gone.db');
    await stop(await startWriter(gone, 'wal'), 'SIGKILL');
    const orphan = join(dir, 'orphan.db');
    renameSync(gone + '-wal', orphan + '-wal');
    renameSync(gone + '-shm', orphan + '-shm');
    assert.ok(statSync(orphan + '-wal').size > 0);
    await sqliteDumper.restore(targetOf(orphan), dump, quiet);
    assert.deepEqual(fingerprint(orphan), expected);
  });

  it('a truncated or byte-flipped dump fails check, and restore leaves the target untouched', async () => {
    const { dump, dir } = await richDump();
    const pageSize = readFileSync(dump).readUInt16BE(16);
    const bytes = readFileSync(dump);
    const damaged: [string, (file: string) => void][] = [
      ['cut at a page boundary', (f) => truncateSync(f, Math.floor(bytes.length / pageSize / 2) * pageSize)],
      ['cut mid-page', (f) => truncateSync(f, bytes.length - 1000)],
      ['a flipped byte in the header', (f) => writeFileSync(f, Buffer.from(bytes).fill(0x53 ^ 0xff, 0, 1))],
      [
        'a flipped byte in a b-tree page header',
        (f) => {
          const b = Buffer.from(bytes);
          b[pageSize] ^= 0xff;
          writeFileSync(f, b);
        },
      ],
      ['an empty file', (f) => truncateSync(f, 0)],
    ];
    const target = join(dir, 'target.db');
    createRich(target);
    withDb(target, (db) => db.exec("INSERT INTO audit VALUES (0, 'the old database')"));
    const before = sha(target);
    const listing = readdirSync(dir).sort();
    for (const [what, damage] of damaged) {
      const bad = join(dir, `bad-${what.replaceAll(' ', '-')}.sqlite`);
      copyFileSync(dump, bad);
      damage(bad);
      const error = await rejects(sqliteDumper.check(targetOf(target), bad), 'BACKUP_INVALID', bad);
      assert.equal(error.details.file, bad, what);
      await rejects(sqliteDumper.restore(targetOf(target), bad, quiet), 'BACKUP_INVALID', bad);
      assert.equal(sha(target), before, `${what}: the target changed`);
      rmSync(bad);
      assert.deepEqual(readdirSync(dir).sort(), listing, `${what}: files were left behind`);
    }
  });

  it('restore refuses while a process holds the database, and leaves it as it is', { timeout: 60_000 }, async () => {
    const { dump, dir } = await richDump();
    const live = join(dir, 'live.db');
    const writer = await startWriter(live, 'wal');
    const inode = statSync(live).ino;
    const error = await rejects(sqliteDumper.restore(targetOf(live), dump, quiet), 'RESTORE_FAILED', live);
    assert.match(error.hint ?? '', /Stop the service/);
    await stop(writer);
    assert.equal(statSync(live).ino, inode, 'the file was replaced');
    assert.ok(withDb(live, (db) => writerInvariants(db).counter) > 0);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('molt-restore')),
      [],
    );

    // A connection that merely has a WAL database open, in this very process: the exclusive-lock probe sees it.
    const idle = new Database(live);
    idle.prepare('SELECT count(*) FROM accounts').get();
    try {
      await rejects(sqliteDumper.restore(targetOf(live), dump, quiet), 'RESTORE_FAILED', 'in use');
    } finally {
      idle.close();
    }
    assert.equal(statSync(live).ino, inode);
  });

  it(
    'restore refuses while another process merely has a rollback-journal database open (Linux)',
    { skip: process.platform !== 'linux' },
    async () => {
      const { dump, dir } = await richDump();
      const target = join(dir, 'quiet.db');
      createRich(target);
      withDb(target, (db) => db.pragma('journal_mode = DELETE'));
      const before = sha(target);
      // Holds no lock at all between statements, so only the open file descriptor gives it away.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(target)}); d.prepare('SELECT 1 FROM users').get(); console.log('ready'); setInterval(() => {}, 1000);`,
        ],
        {
          cwd: dirname(dirname(dirname(WRITER))),
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(holder);
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      await rejects(sqliteDumper.restore(targetOf(target), dump, quiet), 'RESTORE_FAILED', `process ${holder.pid}`);
      await stop(holder);
      assert.equal(sha(target), before);
      await sqliteDumper.restore(targetOf(target), dump, quiet);
      assert.equal(existsSync(target + '-journal'), false);
    },
  );

  it('dump of a missing file fails with BACKUP_FAILED naming it', async () => {
    const dir = workDir();
    await rejects(
      sqliteDumper.dump(targetOf(join(dir, 'nope.db')), join(dir, 'out.sqlite'), quiet),
      'BACKUP_FAILED',
      join(dir, 'nope.db'),
    );
    assert.deepEqual(readdirSync(dir), []);
  });
});

// Releases that know each other, with real processes on every database: live instances, the contract migration that
// waits for the old release, and what happens when the old release drains or dies.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, molt, reportOf, ROOT, writeFiles } from './helpers/cli.js';
import { DATABASES, mysqlAdmin, pgAdmin, queryDb, type TestDatabase } from './helpers/databases.js';

const SERVICE = join(ROOT, 'dist', 'test', 'helpers', 'release-service.js');
const HEARTBEAT_MS = 300;
const children: ChildProcess[] = [];
const dbs: TestDatabase[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const db of dbs) await db.drop();
});

/** Three releases of one service: v1; v2 adds a column (expand) and drops the old one (contract); v3 adds another. */
export function releases(): { root: string; v1: string; v2: string; v3: string } {
  const root = mkdtempSync(join(tmpdir(), 'molt-releases-'));
  const v1 = {
    '0001_users.sql':
      "CREATE TABLE users (id int PRIMARY KEY, legacy varchar(100));\nINSERT INTO users VALUES (1, 'ada');\n",
  };
  const v2 = {
    ...v1,
    '0002_add_full_name.sql': 'ALTER TABLE users ADD COLUMN full_name varchar(100);\n',
    '0003_drop_legacy.sql': '-- molt:phase contract\nALTER TABLE users DROP COLUMN legacy;\n',
  };
  const v3 = { ...v2, '0004_add_email.sql': 'ALTER TABLE users ADD COLUMN email varchar(100);\n' };
  for (const [name, files] of Object.entries({ v1, v2, v3 })) writeFiles(join(root, name), files);
  return { root, v1: join(root, 'v1'), v2: join(root, 'v2'), v3: join(root, 'v3') };
}

const QUERY: Record<string, string> = {
  '1.0.0': 'SELECT id, legacy FROM users',
  '2.0.0': 'SELECT id, full_name FROM users',
  '3.0.0': 'SELECT id, full_name, email FROM users',
};

interface Instance {
  child: ChildProcess;
  port: number;
  name: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts one instance of a release and resolves once it listens. */
function start(
  db: TestDatabase,
  dir: string,
  version: string,
  name: string,
  env: Record<string, string>,
): Promise<Instance> {
  const child = spawn(process.execPath, [SERVICE], {
    cwd: mkdtempSync(join(tmpdir(), 'molt-release-')),
    env: cleanEnv({
      MOLT_DATABASE_URL: db.url,
      MOLT_MIGRATIONS_DIR: dir,
      MOLT_APP_VERSION: version,
      MOLT_INSTANCE_NAME: name,
      MOLT_HEARTBEAT: `${HEARTBEAT_MS}ms`,
      MOLT_LOCK_TIMEOUT: '30s',
      SERVICE_QUERY: QUERY[version],
      ...env,
    }),
  });
  children.push(child);
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /listening on (\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]), name, stderr: () => stderr, exit });
    });
    void exit.then(({ code }) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
  });
}

const get = async (i: Instance, path: string): Promise<{ status: number; body: string }> => {
  const r = await fetch(`http://127.0.0.1:${i.port}${path}`);
  return { status: r.status, body: await r.text() };
};

/** The history's rows for one migration id. */
async function rowsFor(db: TestDatabase, version: string): Promise<number> {
  const rows = await queryDb<{ n: unknown }>(
    db,
    `SELECT COUNT(*) AS n FROM _molt_migrations WHERE version = '${version}' AND status = 'success'`,
  );
  return Number(rows[0].n);
}

/** The parts of a plan report a test can expect exactly: the split, rolling-safety and each verdict. */
async function planOf(
  db: TestDatabase,
  dir: string,
  version: string,
): Promise<{ code: number | null; plan: unknown; report: any }> {
  const r = await molt(['plan', '--json', '--db', db.url, '--dir', dir, '--app-version', version], { env: backupEnv });
  const report = reportOf(r.stdout);
  assert.ok(report, r.stderr);
  const item = (i: {
    version: string;
    name: string;
    phase: string;
    statements: number;
    waitsFor: { name: string }[];
  }) => ({
    id: `${i.version}_${i.name}`,
    phase: i.phase,
    statements: i.statements,
    waitsFor: i.waitsFor.map((w) => w.name),
  });
  return {
    code: r.code,
    report,
    plan: {
      status: report.status,
      beforeRoll: report.beforeRoll.map(item),
      afterRoll: report.afterRoll.map(item),
      rollback: report.rollback.map((v: any) => ({
        appVersion: v.appVersion,
        verdict: v.verdict,
        until: v.until,
        breaking: v.breaking,
        backupAt: v.backup?.schemaVersion ?? null,
      })),
    },
  };
}

let backupEnv: Record<string, string> = {};

/** Waits until `check` holds, polling; returns when it did, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return Date.now();
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const { kind, create } of DATABASES) {
  describe(`releases that know each other on ${kind}`, { timeout: 120_000 }, () => {
    /** A fresh database, the three releases, and the instances' settings: a TTL, and a backup directory of their own. */
    const setUp = async (ttl = '20s') => {
      const db = await create();
      dbs.push(db);
      const env = { MOLT_INSTANCE_TTL: ttl, MOLT_BACKUP_DIR: mkdtempSync(join(tmpdir(), 'molt-rel-backups-')) };
      return { db, env, ...releases() };
    };

    it('a v2 instance defers the contract migration while two v1 instances serve; when they drain, one of three v2 replicas applies it, once', async () => {
      const db = await create();
      dbs.push(db);
      const { v1, v2, v3 } = releases();
      // Every boot that migrates takes a backup first, on every database, so the rollback verdict can name one.
      backupEnv = {
        MOLT_BACKUP_DIR: mkdtempSync(join(tmpdir(), 'molt-rel-backups-')),
        MOLT_BACKUP_BEFORE_MIGRATE: 'always',
      };
      const env = { MOLT_INSTANCE_TTL: '20s', ...backupEnv };
      const a = await start(db, v1, '1.0.0', 'web-1', env);
      const b = await start(db, v1, '1.0.0', 'web-2', env);
      const c = await start(db, v2, '2.0.0', 'web-3', env);

      const wait = new RegExp(
        `0003_drop_legacy waits: 2 instances on 1\\.0\\.0: web-1 pid ${a.child.pid} \\(heartbeat \\d+ s ago\\), web-2 pid ${b.child.pid} \\(heartbeat \\d+ s ago\\)`,
      );
      assert.match(c.stderr(), wait);
      assert.equal(await rowsFor(db, '0002'), 1);
      assert.equal(await rowsFor(db, '0003'), 0);
      for (const old of [a, b]) {
        const r = await get(old, '/users');
        assert.equal(r.status, 200, r.body);
        assert.match(r.body, /"legacy":"ada"/);
      }
      assert.equal((await get(c, '/users')).status, 200);

      const status = await molt(['status', '--json', '--db', db.url, '--dir', v2]);
      const report = reportOf(status.stdout);
      assert.deepEqual(
        report.instances.map((i: { name: string; appVersion: string; stale: boolean }) => [
          i.name,
          i.appVersion,
          i.stale,
        ]),
        [
          ['web-1', '1.0.0', false],
          ['web-2', '1.0.0', false],
          ['web-3', '2.0.0', false],
        ],
      );
      assert.deepEqual(
        report.pending[0].waitsFor.map((i: { name: string }) => i.name),
        ['web-1', 'web-2'],
      );
      const statusText = await molt(['status', '--db', db.url, '--dir', v2]);
      assert.match(statusText.stdout, /instances 3 live\n  app 1\.0\.0: 2 live\n    web-1 pid \d+  serving/);

      // Before the contract migration: the old release may come back as it is, until 0003 runs.
      const v1SafeUntil0003 = {
        appVersion: '1.0.0',
        verdict: 'image_rollback_safe',
        until: '0003_drop_legacy',
        breaking: [],
        backupAt: null,
      };
      const v2Before = await planOf(db, v2, '2.0.0');
      assert.equal(v2Before.code, 0);
      assert.deepEqual(v2Before.plan, {
        status: 'rolling_safe',
        beforeRoll: [],
        afterRoll: [{ id: '0003_drop_legacy', phase: 'contract', statements: 1, waitsFor: ['web-1', 'web-2'] }],
        rollback: [v1SafeUntil0003],
      });
      // v3 while v1 still serves: its expand migration is ordered after the waiting contract one, so it cannot start.
      const v3Before = await planOf(db, v3, '3.0.0');
      assert.equal(v3Before.code, 14);
      assert.deepEqual(v3Before.plan, {
        status: 'not_rolling_safe',
        beforeRoll: [],
        afterRoll: [
          { id: '0003_drop_legacy', phase: 'contract', statements: 1, waitsFor: ['web-1', 'web-2'] },
          { id: '0004_add_email', phase: 'expand', statements: 1, waitsFor: [] },
        ],
        rollback: [
          v1SafeUntil0003,
          { appVersion: '2.0.0', verdict: 'image_rollback_safe', until: null, breaking: [], backupAt: null },
        ],
      });
      assert.match(
        v3Before.report.unsafe[0].message,
        /0004_add_email is an expand migration ordered after a contract migration/,
      );
      const safe = await molt(['rollback', '--to', '1.0.0', '--db', db.url, '--dir', v2], { env: backupEnv });
      assert.equal(safe.code, 0, safe.stderr);
      assert.match(safe.stdout, /^image rollback to 1\.0\.0 is safe until 0003_drop_legacy runs/);

      const d = await start(db, v2, '2.0.0', 'web-4', env);
      const e = await start(db, v2, '2.0.0', 'web-5', env);
      const replicas = [c, d, e];

      // Readiness (once each replica's first database check is in) and the old release's requests, watched throughout.
      for (const r of replicas)
        await until(async () => (await get(r, '/readyz')).status === 200, 5000, `${r.name} ready`);
      const failures: string[] = [];
      let watching = true;
      const watch = (async () => {
        while (watching) {
          for (const r of replicas) {
            const ready = await get(r, '/readyz').catch((error: Error) => ({ status: 0, body: error.message }));
            if (ready.status !== 200) failures.push(`${r.name} /readyz ${ready.status} ${ready.body}`);
          }
          for (const old of [a, b]) {
            if (old.child.exitCode !== null || old.child.signalCode !== null || old.child.killed) continue;
            const r = await get(old, '/users').catch(() => null);
            if (r && r.status !== 200) failures.push(`${old.name} /users ${r.status} ${r.body}`);
          }
          await sleep(50);
        }
      })();

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      const exits = await Promise.all([a.exit, b.exit]);
      assert.deepEqual(
        exits.map((x) => x.code),
        [0, 0],
      );
      const gone = Math.max(...exits.map((x) => x.at));
      const applied = await until(async () => (await rowsFor(db, '0003')) === 1, 15_000, '0003 applied');
      watching = false;
      await watch;
      // Within one heartbeat interval plus the lock wait: far below the 20 s TTL, so the drain did it, not staleness.
      assert.ok(applied - gone < HEARTBEAT_MS + 2500, `applied ${applied - gone} ms after the old release left`);
      assert.deepEqual(failures, []);
      await sleep(3 * HEARTBEAT_MS);
      assert.equal(await rowsFor(db, '0003'), 1);
      const migrated = replicas.filter((r) => /database migrated from 0002 to 0003/.test(r.stderr()));
      assert.equal(migrated.length, 1, replicas.map((r) => r.stderr()).join('\n---\n'));

      const after = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', v2])).stdout);
      assert.deepEqual(after.pending, []);
      assert.deepEqual(
        after.instances.filter((i: { stale: boolean }) => !i.stale).map((i: { appVersion: string }) => i.appVersion),
        ['2.0.0', '2.0.0', '2.0.0'],
      );

      // After it: 1.0.0 needs the archive taken just before 0003 ran, and loses what changed since.
      const v1NeedsRestore = {
        appVersion: '1.0.0',
        verdict: 'needs_restore',
        until: null,
        breaking: ['0003_drop_legacy'],
        backupAt: '0002',
      };
      const v2After = await planOf(db, v2, '2.0.0');
      assert.deepEqual(v2After.plan, {
        status: 'rolling_safe',
        beforeRoll: [],
        afterRoll: [],
        rollback: [v1NeedsRestore],
      });
      const v3After = await planOf(db, v3, '3.0.0');
      assert.equal(v3After.code, 0);
      assert.deepEqual(v3After.plan, {
        status: 'rolling_safe',
        beforeRoll: [{ id: '0004_add_email', phase: 'expand', statements: 1, waitsFor: [] }],
        afterRoll: [],
        rollback: [
          v1NeedsRestore,
          { appVersion: '2.0.0', verdict: 'image_rollback_safe', until: null, breaking: [], backupAt: null },
        ],
      });
      const restore = await molt(['rollback', '--to', '1.0.0', '--json', '--db', db.url, '--dir', v2], {
        env: backupEnv,
      });
      assert.equal(restore.code, 15, restore.stderr);
      const verdict = reportOf(restore.stdout);
      assert.equal(verdict.status, 'needs_restore');
      assert.equal(verdict.verdict.backup.file, v2After.report.rollback[0].backup.file);
      assert.deepEqual(verdict.verdict.lost.migrations, ['0003_drop_legacy']);
      assert.equal(verdict.restoreCommand, `molt restore ${verdict.verdict.backup.file}`);
      const text = await molt(['rollback', '--to', '1.0.0', '--db', db.url, '--dir', v2], { env: backupEnv });
      assert.match(
        text.stdout,
        /^1\.0\.0 needs a restore: 0003_drop_legacy removed what it uses; restore .*-0002\.tar\.gz/,
      );

      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exit));

      // Rolling back for real: --restore asks first (no terminal here: refused, nothing changed), then with --yes
      // restores the archive, and the 1.0.0 image serves what it reads again.
      const rollback = (extra: string[]) =>
        molt(['rollback', '--to', '1.0.0', '--restore', ...extra, '--db', db.url, '--dir', v2], { env: backupEnv });
      const unconfirmed = await rollback([]);
      assert.equal(unconfirmed.code, 9, unconfirmed.stderr);
      assert.equal(await rowsFor(db, '0003'), 1);
      const restored = await rollback(['--yes', '--json']);
      assert.equal(restored.code, 0, restored.stderr);
      const { status: restoredStatus, restored: done } = reportOf(restored.stdout);
      assert.equal(restoredStatus, 'restored');
      // A server keeps the replaced contents aside as a database of their own: this test's to drop.
      if (done.previous && db.kind === 'postgres') await pgAdmin(`DROP DATABASE IF EXISTS "${done.previous}"`);
      if (done.previous && db.kind === 'mysql') await mysqlAdmin(`DROP DATABASE IF EXISTS \`${done.previous}\``);
      assert.equal(await rowsFor(db, '0003'), 0);
      const back = await start(db, v1, '1.0.0', 'web-1', env);
      const users = await get(back, '/users');
      assert.equal(users.status, 200, users.body);
      assert.match(users.body, /"legacy":"ada"/);
      back.child.kill('SIGTERM');
      await back.exit;
    });

    it('a v1 instance killed with SIGKILL blocks the contract migration until its TTL runs out, not before', async () => {
      const ttlMs = 3000;
      const { db, env, v1, v2 } = await setUp(`${ttlMs}ms`);
      const a = await start(db, v1, '1.0.0', 'web-1', env);
      const c = await start(db, v2, '2.0.0', 'web-2', env);
      assert.match(c.stderr(), /0003_drop_legacy waits: 1 instance on 1\.0\.0: web-1/);
      await sleep(2 * HEARTBEAT_MS);
      a.child.kill('SIGKILL');
      const killed = (await a.exit).at;
      const applied = await until(async () => (await rowsFor(db, '0003')) === 1, 15_000, '0003 applied');
      // Its last heartbeat was at most one interval before the kill; the row expires a TTL after it.
      assert.ok(applied - killed >= ttlMs - HEARTBEAT_MS - 100, `applied only ${applied - killed} ms after the kill`);
      assert.ok(applied - killed < ttlMs + HEARTBEAT_MS + 2500, `applied ${applied - killed} ms after the kill`);
      const report = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', v2])).stdout);
      assert.deepEqual(
        report.instances.map((i: { name: string; stale: boolean }) => [i.name, i.stale]),
        [
          ['web-1', true],
          ['web-2', false],
        ],
      );
      c.child.kill('SIGTERM');
      await c.exit;
    });

    it('molt migrate --phase contract waits (exit 13), --force names who breaks and asks, --wait runs it once the old release drains', async () => {
      const { db, env, v1, v2 } = await setUp();
      const a = await start(db, v1, '1.0.0', 'web-1', env);
      const cli = (args: string[]) => molt([...args, '--db', db.url, '--dir', v2], { env });

      const expand = await cli(['migrate']);
      assert.equal(expand.code, 0, expand.stderr);
      assert.match(expand.stdout, /waiting +0003_drop_legacy waits: 1 instance on 1\.0\.0: web-1 pid \d+/);
      const contract = await cli(['migrate', '--phase', 'contract', '--json']);
      assert.equal(contract.code, 13, contract.stderr);
      const error = JSON.parse(contract.stdout).error;
      assert.equal(error.code, 'CONTRACT_WAITING');
      assert.match(
        error.message,
        new RegExp(`^0003_drop_legacy waits: 1 instance on 1\\.0\\.0: web-1 pid ${a.child.pid}`),
      );
      const waited = Date.now();
      const brief = await cli(['migrate', '--phase', 'contract', '--wait', '1s']);
      assert.equal(brief.code, 13);
      assert.ok(Date.now() - waited >= 1000);
      assert.match(brief.stderr, /after waiting 1 s/);
      const force = await cli(['migrate', '--force']);
      assert.equal(force.code, 13, force.stderr);
      assert.match(
        force.stderr,
        /no terminal to ask on: --force breaks: 0003_drop_legacy waits: 1 instance on 1\.0\.0: web-1/,
      );
      assert.equal(await rowsFor(db, '0003'), 0);
      assert.equal((await get(a, '/users')).status, 200);

      const waiting = cli(['migrate', '--phase', 'contract', '--wait', '30s']);
      await sleep(500);
      a.child.kill('SIGTERM');
      const done = await waiting;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /applied +0003_drop_legacy/);
      assert.equal(await rowsFor(db, '0003'), 1);
    });

    it(
      'an old instance that boots while a contract migration runs waits for it, reads the history again and refuses',
      {
        skip:
          kind === 'sqlite' &&
          'SQLite has no sleep to hold a migration open; there the registration write itself waits for it',
      },
      async () => {
        const { db, env, root, v1, v2 } = await setUp();
        assert.equal((await molt(['migrate', '--db', db.url, '--dir', v2, '--phase', 'expand'], { env })).code, 0);
        // The same release 2.0.0 with a contract migration that holds the lock for 3 s before it drops the column.
        const slow = join(root, 'v2-slow');
        writeFiles(slow, {
          '0001_users.sql':
            "CREATE TABLE users (id int PRIMARY KEY, legacy varchar(100));\nINSERT INTO users VALUES (1, 'ada');\n",
          '0002_add_full_name.sql': 'ALTER TABLE users ADD COLUMN full_name varchar(100);\n',
          '0003_drop_legacy.sql': `-- molt:phase contract\n${kind === 'postgres' ? 'SELECT pg_sleep(3)' : 'DO SLEEP(3)'};\nALTER TABLE users DROP COLUMN legacy;\n`,
        });
        const contract = molt(['migrate', '--db', db.url, '--dir', slow], { env });
        await sleep(1000);
        // 1.0.0 boots meanwhile: the history it reads first has no 0003 yet, but it must not serve once 0003 lands.
        const late = start(db, v1, '1.0.0', 'web-late', env);
        const refused = await late.then(
          () => null,
          (error: Error) => error.message,
        );
        assert.equal((await contract).code, 0);
        assert.match(
          refused ?? 'it started and served',
          /web-late exited with 1: [\s\S]*refusing to start: .*0003_drop_legacy/,
        );
        assert.equal(await rowsFor(db, '0003'), 1);
        const left = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', slow])).stdout);
        assert.deepEqual(left.instances, [], 'the refused instance removed its row');
      },
    );

    it('plan names an untagged DROP COLUMN as not rolling-safe by file and line; bad input gets a clear error each', async () => {
      const { db, root, v1 } = await setUp();
      const cli = (args: string[]) => molt([...args, '--db', db.url]);
      // A database that exists and has a table, but no history: no release ever ran on it.
      await queryDb(db, 'CREATE TABLE other_app (x int)');
      const empty = await cli(['plan', '--dir', v1]);
      assert.equal(empty.code, 7);
      assert.match(empty.stderr, /has no migration history: no release ran on it yet/);
      assert.equal((await cli(['rollback', '--to', '1.0.0', '--dir', v1])).code, 7);
      await queryDb(db, 'DROP TABLE other_app');

      assert.equal((await cli(['migrate', '--dir', v1, '--app-version', '1.0.0'])).code, 0);
      const bad = join(root, 'v2-untagged');
      writeFiles(bad, {
        '0001_users.sql':
          "CREATE TABLE users (id int PRIMARY KEY, legacy varchar(100));\nINSERT INTO users VALUES (1, 'ada');\n",
        '0002_drop_legacy.sql':
          '-- drops what 1.0.0 reads, without the contract tag\nALTER TABLE users DROP COLUMN legacy;\n',
      });
      const unsafe = await cli(['plan', '--json', '--dir', bad, '--app-version', '2.0.0']);
      assert.equal(unsafe.code, 14, unsafe.stderr);
      const report = reportOf(unsafe.stdout);
      assert.equal(report.status, 'not_rolling_safe');
      assert.equal(report.unsafe.length, 1);
      assert.match(report.unsafe[0].file, /v2-untagged\/0002_drop_legacy\.sql$/);
      assert.equal(report.unsafe[0].line, 2);
      const text = await cli(['plan', '--dir', bad, '--app-version', '2.0.0']);
      assert.match(text.stdout, /rolling-safe: NO\n +.*0002_drop_legacy\.sql:2: .*drops column/);

      const unknown = await cli(['rollback', '--to', '9.9.9', '--dir', v1]);
      assert.equal(unknown.code, 2);
      assert.match(
        unknown.stderr,
        /--to 9\.9\.9: no release of that version ran on .*\n.*Releases this database has seen: 1\.0\.0/,
      );
      const notASet = mkdtempSync(join(tmpdir(), 'molt-not-a-set-'));
      writeFiles(notASet, { 'README.md': 'not migrations\n' });
      const noSet = await cli(['plan', '--dir', notASet]);
      assert.equal(noSet.code, 8);
      assert.match(noSet.stderr, /holds no migrations: it is not a release's migration set/);
      const missing = await cli(['plan', '--dir', join(notASet, 'nope')]);
      assert.equal(missing.code, 8);
      const target = await cli(['plan', '--dir', v1, '--to', '0009']);
      assert.equal(target.code, 2);
      assert.match(target.stderr, /--to 0009: no migration has that version/);
    });
  });
}

describe('the probes register a process that does not boot through migrate', () => {
  it('a probes-only process is a live instance: starting, then serving, draining on SIGTERM, and gone when it exits', async () => {
    const db = await DATABASES[0].create();
    dbs.push(db);
    const { v1 } = releases();
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', v1])).code, 0);
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'test', 'helpers', 'probe-service.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'molt-probes-instance-')),
      env: cleanEnv({
        DATABASE_URL: db.url,
        MOLT_MIGRATIONS_DIR: v1,
        MOLT_APP_VERSION: '1.0.0',
        MOLT_INSTANCE_NAME: 'worker-1',
        MOLT_HEARTBEAT: `${HEARTBEAT_MS}ms`,
        PROBE_DRAIN_DELAY: '1000',
      }),
    });
    children.push(child);
    const port = await new Promise<number>((resolve) =>
      child.stdout!.on('data', (d) => {
        const m = /listening on (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      }),
    );
    const instances = async () =>
      reportOf((await molt(['status', '--json', '--db', db.url, '--dir', v1])).stdout).instances as {
        name: string;
        appVersion: string;
        state: string;
        knows: { newest: string };
      }[];
    await until(async () => (await instances()).length === 1, 5000, 'the registration');
    const [first] = await instances();
    assert.deepEqual(
      [first.name, first.appVersion, first.state, first.knows.newest],
      ['worker-1', '1.0.0', 'starting', '0001'],
    );
    await fetch(`http://127.0.0.1:${port}/control/phase/ready`, { method: 'POST' });
    await until(async () => (await instances())[0]?.state === 'serving', 5000, 'serving');
    child.kill('SIGTERM');
    await until(async () => (await instances())[0]?.state === 'draining', 3000, 'draining');
    await new Promise((resolve) => child.on('exit', resolve));
    assert.deepEqual(await instances(), []);
  });
});

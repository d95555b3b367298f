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
import { DATABASES, queryDb, type TestDatabase } from './helpers/databases.js';

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
    it('a v2 instance defers the contract migration while two v1 instances serve; when they drain, one of three v2 replicas applies it, once', async () => {
      const db = await create();
      dbs.push(db);
      const { v1, v2 } = releases();
      const env = { MOLT_INSTANCE_TTL: '20s', MOLT_BACKUP_DIR: mkdtempSync(join(tmpdir(), 'molt-rel-backups-')) };
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
      const text = await molt(['status', '--db', db.url, '--dir', v2]);
      assert.match(text.stdout, /instances 3 live\n  app 1\.0\.0: 2 live\n    web-1 pid \d+  serving/);

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
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exit));
    });

    it('a v1 instance killed with SIGKILL blocks the contract migration until its TTL runs out, not before', async () => {
      const db = await create();
      dbs.push(db);
      const { v1, v2 } = releases();
      const ttlMs = 3000;
      const env = {
        MOLT_INSTANCE_TTL: `${ttlMs}ms`,
        MOLT_BACKUP_DIR: mkdtempSync(join(tmpdir(), 'molt-rel-backups-')),
      };
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
  });
}

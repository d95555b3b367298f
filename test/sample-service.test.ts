import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMysqlDatabase, createPostgresDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import { cleanEnv, ROOT } from './helpers/cli.js';

const SERVER = join(ROOT, 'dist', 'examples', 'sample-service', 'server.js');
let nextPort = 19_000 + (process.pid % 500) * 2;

/** Starts the sample service and resolves once it listens, or with its exit code if it refuses to start. */
function start(
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number; stderr: () => string; exit: Promise<number | null> }> {
  const port = nextPort++;
  const child = spawn(process.execPath, [SERVER], { cwd, env: cleanEnv({ PORT: String(port), ...env }) });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (stderr.includes('listening on')) resolve({ child, port, stderr: () => stderr, exit });
    });
    void exit.then(() => resolve({ child, port, stderr: () => stderr, exit }));
    setTimeout(() => reject(new Error(`the sample did not start: ${stderr}`)), 20_000);
  });
}

describe('the sample service', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  it('is what `npm start` runs, and the README names the two set-up commands', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.match(pkg.scripts.start, /node dist\/examples\/sample-service\/server\.js$/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /```sh\nnpm install && npm start\nnpm test\n```/);
  });

  it('migrates an SQLite file under ./data on boot, before it listens, then serves', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'molt-sample-'));
    const app = await start(cwd);
    assert.match(
      app.stderr(),
      /molt: database migrated from empty to 0003 \(3 migrations, \d+ ms\)[\s\S]*listening on/,
    );
    assert.ok(existsSync(join(cwd, 'data', 'app.db')));
    const created = await fetch(`http://127.0.0.1:${app.port}/notes`, { method: 'POST', body: 'remember the milk' });
    assert.equal(created.status, 201);
    const notes = await (await fetch(`http://127.0.0.1:${app.port}/notes`)).json();
    assert.equal(notes[0].body, 'remember the milk');
    app.child.kill('SIGTERM');
    assert.equal(await app.exit, 0);

    const again = await start(cwd);
    assert.match(again.stderr(), /molt: database is up to date at 0003/);
    again.child.kill('SIGTERM');
    await again.exit;
  });

  for (const [name, create] of [
    ['PostgreSQL', createPostgresDatabase],
    ['MariaDB', createMysqlDatabase],
  ] as const) {
    it(`migrates ${name} when DATABASE_URL names it, and is up to date on the next boot`, async () => {
      const db = await create();
      dbs.push(db);
      const app = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
      assert.match(app.stderr(), /migrated from empty to 0003/);
      assert.equal((await fetch(`http://127.0.0.1:${app.port}/notes`, { method: 'POST', body: name })).status, 201);
      assert.deepEqual(await queryDb(db, 'SELECT body FROM notes'), [{ body: name }]);
      app.child.kill('SIGTERM');
      assert.equal(await app.exit, 0);
      const again = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
      assert.match(again.stderr(), /database is up to date at 0003/);
      again.child.kill('SIGTERM');
      await again.exit;
    });
  }

  it('two instances on one PostgreSQL database given 80 notes at once answer 201 to each, with 80 distinct ids', async () => {
    // Each instance writes through one connection: 40 requests interleaving their id pick and insert there used to
    // collide in lock step until the retries ran out (an HTTP 500 a clean-clone CI once saw under load).
    const db = await createPostgresDatabase();
    dbs.push(db);
    const a = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
    const b = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
    try {
      const answers = await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const res = await fetch(`http://127.0.0.1:${(i % 2 ? a : b).port}/notes`, { method: 'POST', body: `n${i}` });
          return { status: res.status, body: (await res.json()) as { id: number } };
        }),
      );
      assert.deepEqual(
        answers.filter((x) => x.status !== 201),
        [],
      );
      assert.equal(new Set(answers.map((x) => x.body.id)).size, 80);
      const [count] = await queryDb<{ n: unknown }>(db, 'SELECT count(*) AS n FROM notes');
      assert.equal(Number(count!.n), 80);
    } finally {
      for (const app of [a, b]) app.child.kill('SIGTERM');
    }
    assert.equal(await a.exit, 0);
    assert.equal(await b.exit, 0);
  });

  it('refuses to start, exit 1 and never listening, when the database holds a contract migration it does not know', async () => {
    const db = await createPostgresDatabase();
    dbs.push(db);
    const first = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
    first.child.kill('SIGTERM');
    await first.exit;
    await queryDb(
      db,
      "INSERT INTO _molt_migrations (version, name, phase, status, app_version) VALUES ('0004', 'drop_body', 'contract', 'success', '2.0.0')",
    );
    const refused = await start(mkdtempSync(join(tmpdir(), 'molt-sample-')), { DATABASE_URL: db.url });
    assert.equal(await refused.exit, 1);
    assert.doesNotMatch(refused.stderr(), /listening/);
    assert.match(refused.stderr(), /refusing to start: .*contract migration 0004_drop_body, applied by app 2\.0\.0/);
  });

  it('with MOLT_AUTO_MIGRATE=off only verifies: refuses a missing or empty database instead of making or migrating it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'molt-sample-'));
    const app = await start(cwd, { MOLT_AUTO_MIGRATE: 'off' });
    assert.equal(await app.exit, 1);
    assert.match(app.stderr(), /SQLite database .*app\.db does not exist/);
    assert.equal(existsSync(join(cwd, 'data', 'app.db')), false, 'a verify-only start made the database');
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'app.db'), '');
    const again = await start(cwd, { MOLT_AUTO_MIGRATE: 'off' });
    assert.equal(await again.exit, 1);
    assert.match(again.stderr(), /3 pending migration\(s\)/);
  });
});

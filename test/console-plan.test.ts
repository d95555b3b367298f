// The console's Plan page, over HTTP against `molt console` run as the real CLI: the rolling-safety verdict with lint's
// findings naming file and line, behind the sign-in, and never refreshed live.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { BIN, cleanEnv, migrationsDir, molt, writeFiles } from './helpers/cli.js';
import { createSqliteDatabase, type TestDatabase } from './helpers/databases.js';

const TOKEN = 'plan-page-admin-token-0123456789';

describe('the console: the Plan page', () => {
  let db: TestDatabase | null = null;
  let consoleProc: ChildProcess | null = null;
  after(async () => {
    consoleProc?.kill('SIGTERM');
    await db?.drop();
  });

  it('says why a release is not rolling-safe, naming the file and line, only to a signed-in admin', async () => {
    db = await createSqliteDatabase();
    const dir = migrationsDir({ '0001_t.sql': 'CREATE TABLE t (a integer, b text);\n' });
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    // The next release drops a column in an expand migration: the release still serving reads it.
    writeFiles(dir, {
      '0002_drop_b.sql': '-- a column the running release still reads\nALTER TABLE t DROP COLUMN b;\n',
    });
    consoleProc = spawn(process.execPath, [BIN, 'console', '--port', '0', '--db', db.url, '--dir', dir], {
      env: cleanEnv({ MOLT_FLEET_ADMIN_TOKEN: TOKEN }),
    });
    let err = '';
    consoleProc.stderr!.on('data', (d) => (err += d));
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /console on (http:\/\/\S+)\/molt\//.exec(err);
        if (m) resolve((clearInterval(timer), m[1]!));
        if (consoleProc!.exitCode !== null) reject((clearInterval(timer), new Error(`molt console exited: ${err}`)));
      }, 50);
    });

    assert.equal((await fetch(`${base}/molt/plan`)).status, 401, 'no plan without signing in');
    const signIn = await fetch(`${base}/molt/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;

    const schema = await (await fetch(`${base}/molt/schema`, { headers: { cookie } })).text();
    assert.match(schema, /<a id="check-plan" href="\/molt\/plan">/);
    const response = await fetch(`${base}/molt/plan`, { headers: { cookie } });
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.match(page, /<strong id="plan-status" class="bad"\s*>not rolling-safe<\/strong/);
    assert.match(page, /0002_drop_b\.sql:2: drops column t\.b: breaks the previous release/);
    assert.match(page, /<tr id="plan-0002" data-runs="before_roll" data-waits="0">/);
    assert.match(page, /<code>drop-column<\/code> line 2/);
    assert.doesNotMatch(page, /data-live-part/, 'the page is read once: nothing polls its lint');

    // Tagged as a contract migration, it waits for any old release instead: rolling-safe.
    writeFiles(dir, {
      '0002_drop_b.sql':
        '-- molt:phase contract\n-- a column the running release still reads\nALTER TABLE t DROP COLUMN b;\n',
    });
    const again = await (await fetch(`${base}/molt/plan`, { headers: { cookie } })).text();
    assert.match(again, /<strong id="plan-status" class="ok"\s*>rolling-safe<\/strong/);
    // No instance is live, so nothing holds it back.
    assert.match(
      again,
      /<tr id="plan-0002" data-runs="before_roll" data-waits="0">\s*<th scope="row">0002_drop_b<\/th>\s*<td>contract<\/td>/,
    );
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { migrationsDir, molt } from './helpers/cli.js';
import { createPostgresDatabase, pgAdmin, type TestDatabase } from './helpers/databases.js';
import { request, startService, stopServices, waitFor, type ProbeAnswer } from './helpers/probe-client.js';

const CONTRACT = '-- molt:phase contract\n';
const RELEASE_1 = { '0001_init.sql': 'CREATE TABLE t (a int);', '0002_add_b.sql': 'ALTER TABLE t ADD b int;' };
const WITH_EXPAND = { ...RELEASE_1, '0003_add_c.sql': 'ALTER TABLE t ADD c int;' };
const WITH_CONTRACT = { ...WITH_EXPAND, '0004_drop_a.sql': `${CONTRACT}ALTER TABLE t DROP a;` };
const FAST = { PROBE_CHECK_INTERVAL: '150' };

/** A directory holding the service's package.json, as a deployed service has. */
function serviceDir(version = '2.3.4'): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-probe-svc-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'svc', version }));
  return dir;
}

async function migrated(files: Record<string, string>, db?: TestDatabase): Promise<TestDatabase> {
  db ??= await createPostgresDatabase();
  const run = await molt(['migrate', '--db', db.url, '--dir', migrationsDir(files)]);
  assert.equal(run.code, 0, run.stderr);
  return db;
}

const dbName = (db: TestDatabase): string => new URL(db.url).pathname.slice(1);
const check = (a: ProbeAnswer, name: string) => a.body.checks[name][0];
const checked = (a: ProbeAnswer): boolean => a.body?.checks?.['database:connection']?.[0]?.time !== undefined;

function assertHealthHeaders(a: ProbeAnswer): void {
  assert.equal(a.headers.get('content-type'), 'application/health+json');
  assert.equal(a.headers.get('cache-control'), 'no-store');
}

describe('probes in a real service process, against PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    stopServices();
    for (const db of dbs) await db.drop();
  });

  it('walks starting, ready, database down and back (with hysteresis), ahead but compatible, and draining on SIGTERM', async () => {
    const db = await migrated(RELEASE_1);
    dbs.push(db);
    const svc = await startService(serviceDir(), {
      DATABASE_URL: db.url,
      MOLT_MIGRATIONS_DIR: migrationsDir(RELEASE_1),
      PROBE_CHECK_INTERVAL: '300',
      PROBE_QUERY_TIMEOUT: '1000',
      PROBE_DRAIN_DELAY: '1500',
    });

    // starting: everything else passes, so only the phase holds readiness back.
    const starting = await waitFor(
      svc.port,
      '/readyz',
      (a) => checked(a) && check(a, 'database:connection').status === 'pass',
    );
    assert.equal(starting.status, 503);
    assertHealthHeaders(starting);
    assert.equal(starting.body.status, 'fail');
    assert.equal(starting.body.output, 'Startup has not finished');
    assert.deepEqual(check(starting, 'lifecycle:phase'), {
      componentType: 'component',
      status: 'fail',
      observedValue: 'starting',
      output: 'Startup has not finished',
    });
    assert.equal(check(starting, 'database:connection').status, 'pass');
    assert.equal(check(starting, 'database:connection').componentType, 'datastore');
    assert.deepEqual(check(starting, 'migrations:compatibility').observedValue, {
      applied: '0002',
      required: '0002',
      missing: [],
      unknownExpand: [],
      unknownContract: [],
    });
    const live = await request(svc.port, '/healthz');
    assert.equal(live.status, 200);
    assertHealthHeaders(live);
    assert.equal(live.text, '{"status":"pass"}');

    // ready
    await request(svc.port, '/control/phase/ready', 'POST');
    const ready = await request(svc.port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'pass');
    assert.equal(ready.body.version, '2');
    assert.equal(ready.body.releaseId, '2.3.4');
    assert.equal(ready.body.output, undefined);
    assert.deepEqual(Object.keys(ready.body.checks), [
      'database:connection',
      'migrations:compatibility',
      'lifecycle:phase',
    ]);
    assert.ok(Object.values(ready.body.checks).every((c) => (c as { status: string }[])[0].status === 'pass'));
    assert.equal(typeof check(ready, 'database:connection').observedValue, 'number');
    assert.equal(check(ready, 'database:connection').observedUnit, 'ms');

    // A probe storm is answered from the cached check: a handful of distinct check times at most, one connection.
    const stormStart = Date.now();
    const storm = await Promise.all(Array.from({ length: 300 }, () => request(svc.port, '/readyz')));
    const checksDuringStorm = Math.ceil((Date.now() - stormStart) / 300) + 1;
    assert.ok(storm.every((a) => a.status === 200));
    assert.ok(new Set(storm.map((a) => check(a, 'database:connection').time)).size <= checksDuringStorm);
    const [{ n }] = await pgAdmin<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [
      dbName(db),
    ]);
    // One for the probes' checks, one for the live-instance heartbeat they registered; the storm added none.
    assert.equal(Number(n), 2, 'the probes hold one dedicated connection, the instance registration one more');

    // One slow query (the history table locked past the query timeout) counts as one failure: still ready.
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE _molt_migrations IN ACCESS EXCLUSIVE MODE');
      const slow = await waitFor(svc.port, '/readyz', (a) => check(a, 'database:connection').status !== 'pass');
      assert.equal(slow.status, 200);
      assert.equal(slow.body.status, 'warn');
      assert.match(
        check(slow, 'database:connection').output,
        /failed 1 time\(s\) in a row \(unready after 2\): .*(did not answer within 1000 ms|statement timeout)/,
      );
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await waitFor(svc.port, '/readyz', (a) => a.status === 200 && check(a, 'database:connection').status === 'pass');

    // Database down, then back. Observed check by check: one failure keeps the instance ready (warn),
    // the second makes it 503, and the first success after the outage makes it 200 again.
    const seen: ProbeAnswer[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.push(await request(svc.port, '/readyz'));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await pgAdmin(`ALTER DATABASE ${dbName(db)} ALLOW_CONNECTIONS false`);
    await pgAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName(db)]);
    try {
      await waitFor(svc.port, '/readyz', (a) => a.status === 503);
    } finally {
      await pgAdmin(`ALTER DATABASE ${dbName(db)} ALLOW_CONNECTIONS true`);
    }
    const upAt = Date.now();
    const checkedSinceUp = (a: ProbeAnswer): boolean => Date.parse(check(a, 'database:connection').time) > upAt;
    const deadline = Date.now() + 5_000;
    while (!seen.some(checkedSinceUp) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    polling = false;
    await poller;

    const db1 = seen.filter((a) => /failed 1 time/.test(check(a, 'database:connection').output ?? ''));
    const db2 = seen.filter((a) => /failed 2 time/.test(check(a, 'database:connection').output ?? ''));
    assert.ok(db1.length > 0 && db2.length > 0, 'both the first and the second failure were observed');
    for (const a of db1) {
      assert.equal(a.status, 200);
      assert.equal(a.body.status, 'warn');
      assert.equal(check(a, 'database:connection').status, 'warn');
      assert.match(a.body.notes[0], /unready after 2/);
    }
    for (const a of db2) {
      assert.equal(a.status, 503);
      assert.equal(check(a, 'database:connection').status, 'fail');
      assert.match(a.body.output, /The database check failed 2 time\(s\) in a row/);
    }
    const afterOutage = seen.filter(checkedSinceUp);
    assert.ok(afterOutage.length > 0);
    assert.ok(
      afterOutage.every((a) => a.status === 200 && check(a, 'database:connection').status === 'pass'),
      'one success is enough to be ready again',
    );

    // Schema ahead but compatible: another release applied an expand migration this binary does not know.
    await migrated(WITH_EXPAND, db);
    const ahead = await waitFor(
      svc.port,
      '/readyz',
      (a) => a.body?.status === 'warn' && check(a, 'migrations:compatibility').status === 'warn',
    );
    assert.equal(ahead.status, 200);
    assert.deepEqual(check(ahead, 'migrations:compatibility').observedValue, {
      applied: '0003',
      required: '0002',
      missing: [],
      unknownExpand: ['0003_add_c'],
      unknownContract: [],
    });
    assert.deepEqual(ahead.body.notes, [
      'The database is ahead of this binary with expand migration(s) 0003_add_c; they keep this binary working',
    ]);
    const version = await request(svc.port, '/api/version');
    assert.deepEqual(version.body.schema, { applied: '0003', required: '0002', maxKnown: '0002' });

    // Draining on a real SIGTERM: readiness fails at once, liveness stays 200 while it still serves.
    svc.child.kill('SIGTERM');
    const draining = await waitFor(svc.port, '/readyz', (a) => a.status === 503, 1_000);
    assert.equal(check(draining, 'lifecycle:phase').observedValue, 'draining');
    assert.equal(draining.body.output, 'The instance is draining before it stops');
    assert.equal(check(draining, 'database:connection').status, 'pass');
    const liveWhileDraining = await request(svc.port, '/healthz');
    assert.equal(liveWhileDraining.status, 200);
    assert.equal(liveWhileDraining.text, '{"status":"pass"}');
    assert.equal(await svc.exit, 0);
  });

  it('is 503 when the binary requires a migration that is not applied, and when the database holds a contract migration it does not know', async () => {
    const [behind, newer] = await Promise.all([migrated(RELEASE_1), migrated(WITH_CONTRACT)]);
    dbs.push(behind, newer);
    const [svcNew, svcOld] = await Promise.all([
      startService(serviceDir('3.0.0'), {
        DATABASE_URL: behind.url,
        MOLT_MIGRATIONS_DIR: migrationsDir(WITH_EXPAND),
        ...FAST,
      }),
      startService(serviceDir('1.0.0'), {
        DATABASE_URL: newer.url,
        MOLT_MIGRATIONS_DIR: migrationsDir(RELEASE_1),
        ...FAST,
      }),
    ]);
    await Promise.all([
      request(svcNew.port, '/control/phase/ready', 'POST'),
      request(svcOld.port, '/control/phase/ready', 'POST'),
    ]);

    const missing = await waitFor(svcNew.port, '/readyz', checked);
    assert.equal(missing.status, 503);
    assert.equal(check(missing, 'database:connection').status, 'pass');
    assert.equal(check(missing, 'lifecycle:phase').status, 'pass');
    const m = check(missing, 'migrations:compatibility');
    assert.equal(m.status, 'fail');
    assert.deepEqual(m.observedValue, {
      applied: '0002',
      required: '0003',
      missing: ['0003_add_c'],
      unknownExpand: [],
      unknownContract: [],
    });
    assert.match(missing.body.output, /requires are not applied: 0003_add_c/);

    const contract = await waitFor(svcOld.port, '/readyz', checked);
    assert.equal(contract.status, 503);
    const c = check(contract, 'migrations:compatibility');
    assert.equal(c.status, 'fail');
    assert.deepEqual(c.observedValue, {
      applied: '0004',
      required: '0002',
      missing: [],
      unknownExpand: ['0003_add_c'],
      unknownContract: ['0004_drop_a'],
    });
    assert.match(contract.body.output, /contract migration\(s\) this binary does not know: 0004_drop_a/);

    // Applying what the newer binary requires makes it ready on the next check.
    await migrated(WITH_EXPAND, behind);
    const fixed = await waitFor(svcNew.port, '/readyz', (a) => a.status === 200);
    assert.equal(fixed.body.status, 'pass');
  });

  it('/api/version reports the package version and the commit from the environment, a COMMIT_SHA file or git, in that order, and null without any', async () => {
    const repo = serviceDir('4.5.6-rc.1');
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
        cwd: repo,
        encoding: 'utf8',
      }).trim();
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'first');
    const head = git('rev-parse', 'HEAD');
    const withFile = serviceDir('4.5.6-rc.1');
    execFileSync('cp', ['-r', join(repo, '.git'), withFile]);
    writeFileSync(join(withFile, 'COMMIT_SHA'), 'f1e2d3c4b5a6\n');

    const [env, gitCommitEnv, file, fromGit, none] = await Promise.all([
      startService(withFile, { COMMIT_SHA: 'e0e0e0e0', GIT_COMMIT: 'not-this-one' }),
      startService(withFile, { GIT_COMMIT: 'abcabc' }),
      startService(withFile),
      startService(repo),
      startService(serviceDir('0.9.0')),
    ]);
    const versions = await Promise.all(
      [env, gitCommitEnv, file, fromGit, none].map((s) => request(s.port, '/api/version')),
    );
    assert.deepEqual(
      versions.map((v) => v.body.commit),
      ['e0e0e0e0', 'abcabc', 'f1e2d3c4b5a6', head, null],
    );

    const v = versions[3];
    assert.equal(v.status, 200);
    assert.equal(v.headers.get('content-type'), 'application/json');
    assert.equal(v.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(v.body), [
      'version',
      'commit',
      'major',
      'minor',
      'patch',
      'schema',
      'startedAt',
      'instanceId',
    ]);
    assert.equal(v.body.version, '4.5.6-rc.1');
    assert.deepEqual([v.body.major, v.body.minor, v.body.patch], [4, 5, 6]);
    assert.deepEqual(v.body.schema, { applied: null, required: null, maxKnown: null });
    assert.ok(Date.parse(v.body.startedAt) <= Date.now() && Date.now() - Date.parse(v.body.startedAt) < 60_000);
    assert.match(v.body.instanceId, new RegExp(`:${fromGit.child.pid}$`));
    assert.equal(versions[4].body.version, '0.9.0');
  });

  it('/healthz fails on sustained event-loop lag and recovers, fails for good after markBroken, and probes refuse other methods', async () => {
    const svc = await startService(serviceDir(), {
      PROBE_LAG_INTERVAL: '50',
      PROBE_LAG_THRESHOLD: '150',
      PROBE_LAG_SAMPLES: '3',
    });
    const ready = await request(svc.port, '/readyz');
    assert.equal(ready.status, 503, 'no database configured: only the phase counts, and it is starting');
    assert.deepEqual(Object.keys(ready.body.checks), ['lifecycle:phase']);

    await request(svc.port, '/control/block?ms=250&times=8', 'POST');
    const lagging = await waitFor(svc.port, '/healthz', (a) => a.status === 503, 5_000);
    assertHealthHeaders(lagging);
    assert.equal(lagging.body.status, 'fail');
    assert.match(lagging.body.output, /^Event loop lag at or above 150 ms for \d+ samples in a row/);
    await waitFor(svc.port, '/healthz', (a) => a.status === 200, 5_000);

    await request(svc.port, '/control/broken', 'POST');
    const broken = await request(svc.port, '/healthz');
    assert.equal(broken.status, 503);
    assert.deepEqual(broken.body, { status: 'fail', output: 'the test said so' });

    const get = await request(svc.port, '/readyz');
    const head = await request(svc.port, '/readyz', 'HEAD');
    assert.equal(head.status, get.status);
    assert.equal(head.text, '');
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(get.text)));
    assertHealthHeaders(head);
    for (const path of ['/healthz', '/readyz', '/api/version']) {
      const refused = await request(svc.port, path, 'POST');
      assert.equal(refused.status, 405);
      assert.equal(refused.headers.get('allow'), 'GET, HEAD');
    }
    assert.equal((await request(svc.port, '/hello')).text, 'hello', 'other paths reach the service');
    assert.equal((await request(svc.port, '/readyz?verbose=1')).status, 503, 'a query string does not hide the probe');
  });
});

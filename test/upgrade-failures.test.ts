// molt upgrade when things go wrong, and with process types: a failing migration, a release that never gets ready,
// the orchestrator killed mid-roll, and a web tier with a job worker. Real processes, load from a second process.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UpgradeReport } from '../src/upgrade/index.js';
import { createPostgresDatabase, createSqliteDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import {
  assertNoFailedRequest,
  killAll,
  makeRelease,
  runCli,
  startLoad,
  startRun,
  stopRun,
  versionsServing,
  workDir,
  type Run,
} from './helpers/upgrade-harness.js';

const dbs: TestDatabase[] = [];
after(async () => {
  await killAll();
  for (const db of dbs) await db.drop();
});

const reportOf = (stdout: string): UpgradeReport => (JSON.parse(stdout) as { report: UpgradeReport }).report;
const pids = async (run: Run): Promise<number[]> =>
  (await run.control.status()).instances.map((i) => i.pid!).sort((a, b) => a - b);

async function setUp(create: () => Promise<TestDatabase>, count = 3) {
  const db = await create();
  dbs.push(db);
  const env = { MOLT_DATABASE_URL: db.url };
  const work = workDir();
  const v1 = makeRelease(work, 'v1', 1, { web: { instances: count } });
  const run = await startRun(work, v1, env, count);
  const stopLoad = await startLoad(run.port);
  // The load runs a second before the upgrade and goes on until each test has checked the outcome.
  await new Promise((r) => setTimeout(r, 1_000));
  const state = join(work, 'state');
  return { db, env, work, v1, run, stopLoad, state };
}

describe('molt upgrade: failures stop it with every instance serving', () => {
  it(
    'a release whose migration fails: exit 16 at expand, nothing restarted, 0 failed requests, the journal says why',
    { timeout: 120_000 },
    async () => {
      const { db, env, work, run, stopLoad, state } = await setUp(createSqliteDatabase);
      const bad = makeRelease(
        work,
        'v2-bad',
        2,
        { web: { instances: 3 } },
        {
          // Lint cannot see it: it fails on the primary key only once the table holds a note, as the running one does.
          files: {
            '0004_add_note_stats.sql': [
              '-- molt:phase expand',
              'CREATE TABLE note_stats (note_id integer PRIMARY KEY, words integer NOT NULL);',
              'INSERT INTO note_stats (note_id, words) SELECT id, 0 FROM notes;',
              'INSERT INTO note_stats (note_id, words) SELECT id, 0 FROM notes;',
              '',
            ].join('\n'),
          },
        },
      );
      const before = await pids(run);
      const result = await runCli(['upgrade', '--to', bad, '--state', state, '--json'], work, env);
      const load = await stopLoad();
      assert.equal(result.code, 16, result.stderr);
      const report = reportOf(result.stdout);
      assert.equal(report.status, 'aborted');
      assert.deepEqual(
        report.steps.map((s) => `${s.step} ${s.status}`),
        ['stage done', 'preflight done', 'backup done', 'expand failed'],
      );
      assert.match(report.reason!, /0004_add_note_stats/);
      assert.deepEqual(await pids(run), before, 'no instance was restarted');
      assert.deepEqual(await versionsServing(await run.control.status()), { '1.1.0': 3 });
      assertNoFailedRequest(load, 100);
      const [journal] = await queryDb<{ state: string; step: string; error: string }>(
        db,
        'SELECT state, step, error FROM _molt_migrations_upgrades',
      );
      assert.equal(journal!.state, 'aborted');
      assert.equal(journal!.step, 'expand');
      assert.match(journal!.error, /0004_add_note_stats.*UNIQUE constraint failed/s);
      assert.equal(await stopRun(run), 0);
    },
  );

  it(
    'a release that never gets ready: the roll stops at the first instance, it goes back, 0 failed requests, exit 16 naming the instance and the wait',
    { timeout: 120_000 },
    async () => {
      const { env, work, run, stopLoad, state } = await setUp(createPostgresDatabase);
      // It passes its migrations, then hangs before it ever listens: a poisoned build.
      const poisoned = makeRelease(
        work,
        'v2-poisoned',
        2,
        { web: { instances: 3, command: 'node -e setInterval(()=>{},1000)' } },
        { readyTimeout: '3s' },
      );
      const before = await pids(run);
      const result = await runCli(['upgrade', '--to', poisoned, '--state', state, '--json'], work, env);
      const load = await stopLoad();
      assert.equal(result.code, 16, result.stderr);
      const report = reportOf(result.stdout);
      assert.match(report.reason!, /aborted at web\.1 \(1\/3\): ready: not ready after 3 s: \/readyz did not answer/);
      assert.match(
        result.stderr,
        /molt: error: upgrade .*aborted at web\.1 \(1\/3\)|molt: error: aborted at web\.1 \(1\/3\)/,
      );
      assert.deepEqual(
        report.steps.map((s) => `${s.step} ${s.status}`),
        ['stage done', 'preflight done', 'backup done', 'expand done', 'roll failed', 'rollback done'],
      );
      assert.deepEqual(
        report.instances.map((i) => `${i.instance} ${i.status}`),
        ['web.1 failed'],
      );
      assert.deepEqual(await pids(run), before, 'the old instances served on, untouched');
      assert.deepEqual(await versionsServing(await run.control.status()), { '1.1.0': 3 });
      assert.equal((await run.control.status()).current.version, '1.1.0');
      assertNoFailedRequest(load, 100);
      // The database stays on the expand schema the old release accepts: 0004 applied, 0005 not.
      const { stdout } = await runCli(['status', '--dir', join(poisoned, 'migrations'), '--json'], work, env);
      const status = (JSON.parse(stdout) as { report: { current: string; pending: { version: string }[] } }).report;
      assert.equal(status.current, '0004');
      assert.deepEqual(
        status.pending.map((p) => p.version),
        ['0005'],
      );
      assert.equal(await stopRun(run), 0);
    },
  );

  it(
    'the orchestrator killed mid-roll: a second upgrade is refused naming it; --rollback returns every instance to 1.1.0; killed again, --resume finishes',
    { timeout: 180_000 },
    async () => {
      const { db, env, work, run, stopLoad, state } = await setUp(createSqliteDatabase);
      const v2 = makeRelease(work, 'v2', 2, { web: { instances: 3 } });
      const killMidRoll = () =>
        runCli(['upgrade', '--to', v2, '--state', state], work, env, (stderr, child) => {
          if (/roll {6}web\.1 1\.1\.0 -> 2\.0\.0: replaced/.test(stderr) && child.exitCode === null)
            child.kill('SIGKILL');
        });

      const first = await killMidRoll();
      assert.equal(first.signal, 'SIGKILL', first.stderr);
      const [active] = await queryDb<{ id: string; step: string }>(
        db,
        'SELECT id, step FROM _molt_migrations_upgrades WHERE active = 1',
      );
      assert.equal(active!.step, 'roll');

      const second = await runCli(['upgrade', '--to', v2, '--state', state], work, env);
      assert.equal(second.code, 17, second.stderr);
      assert.match(second.stderr, new RegExp(`upgrade ${active!.id} from 1\\.1\\.0 to 2\\.0\\.0 .* at step roll`));
      assert.match(second.stderr, /--resume.*--rollback/);

      const back = await runCli(['upgrade', '--rollback', '--state', state, '--json'], work, env);
      assert.equal(back.code, 0, back.stderr);
      assert.equal(reportOf(back.stdout).status, 'rolled_back');
      assert.deepEqual(await versionsServing(await run.control.status()), { '1.1.0': 3 });
      assert.equal((await run.control.status()).current.version, '1.1.0');

      const again = await killMidRoll();
      assert.equal(again.signal, 'SIGKILL', again.stderr);
      const resumed = await runCli(['upgrade', '--resume', '--state', state, '--json'], work, env);
      assert.equal(resumed.code, 0, resumed.stderr);
      const report = reportOf(resumed.stdout);
      assert.equal(report.status, 'succeeded');
      assert.deepEqual(report.migrations.contract, ['0005_drop_note_words']);
      assert.deepEqual(await versionsServing(await run.control.status()), { '2.0.0': 3 });
      const load = await stopLoad();
      assertNoFailedRequest(load, 100);
      const journal = await queryDb<{ state: string }>(
        db,
        'SELECT state FROM _molt_migrations_upgrades ORDER BY started_at',
      );
      assert.deepEqual(
        journal.map((j) => j.state),
        ['rolled_back', 'succeeded'],
      );
      assert.equal(await stopRun(run), 0);
    },
  );
});

describe('molt upgrade: process types', () => {
  it(
    'a web tier and a job worker: the roll follows the declared order, 0 failed requests, every job done exactly once',
    { timeout: 180_000 },
    async () => {
      const db = await createPostgresDatabase();
      dbs.push(db);
      const env = { MOLT_DATABASE_URL: db.url };
      const work = workDir();
      const types = {
        worker: { instances: 1, serves: false, env: { SAMPLE_ROLE: 'worker' } },
        web: { instances: 2, env: { SAMPLE_ROLE: 'web' } },
      };
      const v1 = makeRelease(work, 'v1', 1, types, { order: ['worker', 'web'] });
      const v2 = makeRelease(work, 'v2', 2, types, { order: ['worker', 'web'] });
      const run = await startRun(work, v1, env, 3);
      const stopLoad = await startLoad(run.port);
      await new Promise((r) => setTimeout(r, 1_000));
      const result = await runCli(['upgrade', '--to', v2, '--state', join(work, 'state'), '--json'], work, env);
      await new Promise((r) => setTimeout(r, 1_000));
      const load = await stopLoad();
      assert.equal(result.code, 0, result.stderr);
      const report = reportOf(result.stdout);
      assert.deepEqual(
        report.instances.map((i) => i.instance),
        ['worker.1', 'web.1', 'web.2'],
      );
      assertNoFailedRequest(load, 100);
      assert.ok(load.created > 50, `jobs were submitted throughout: ${load.created}`);

      // Every job the load caused ends done, after one attempt, and counted its note once.
      const deadline = Date.now() + 30_000;
      let jobs: { state: string; attempts: number }[] = [];
      for (;;) {
        jobs = await queryDb(db, 'SELECT state, attempts FROM _molt_migrations_jobs');
        if (jobs.every((j) => j.state === 'done') || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(jobs.length, load.created, 'one job per note written');
      assert.deepEqual([...new Set(jobs.map((j) => `${j.state} ${j.attempts}`))], ['done 1']);
      const [stats] = await queryDb<{ n: unknown }>(db, 'SELECT count(*) AS n FROM note_stats');
      assert.equal(Number(stats!.n), load.created, 'every note counted once, before or after the contract');
      assert.equal(await stopRun(run), 0);
    },
  );
});

// molt upgrade over molt run: real processes, real signals, load from a second process, SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UpgradeReport } from '../src/upgrade/index.js';
import { cleanEnv, ROOT } from './helpers/cli.js';
import { createPostgresDatabase, createSqliteDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import {
  archives,
  assertNoFailedRequest,
  killAll,
  makeRelease,
  runCli,
  startLoad,
  startRun,
  stopRun,
  versionsServing,
  workDir,
} from './helpers/upgrade-harness.js';

const dbs: TestDatabase[] = [];
after(async () => {
  await killAll();
  for (const db of dbs) await db.drop();
});

const DATABASES = [
  ['SQLite', createSqliteDatabase],
  ['PostgreSQL', createPostgresDatabase],
] as const;

/** No request failed: every answer a 200 or 201, no connection error. */

interface Applied {
  version: string;
  appliedAt: string;
}

async function appliedOf(work: string, env: Record<string, string>, dir: string): Promise<Record<string, Applied>> {
  const { stdout } = await runCli(['status', '--dir', dir, '--json'], work, env);
  const report = (JSON.parse(stdout) as { report: { applied: Applied[] } }).report;
  return Object.fromEntries(report.applied.map((a) => [a.version, a]));
}

describe('molt upgrade over molt run, under load', () => {
  for (const [name, create] of DATABASES) {
    for (const count of [3, 1]) {
      it(
        `${name}, ${count} instance${count > 1 ? 's' : ''}: 0 failed requests, every instance on 2.0.0, expand before the first new instance, contract after the last old one`,
        { timeout: 180_000 },
        async () => {
          const db = await create();
          dbs.push(db);
          const env = { MOLT_DATABASE_URL: db.url };
          const work = workDir();
          const v1 = makeRelease(work, 'v1', 1, { web: { instances: count } });
          const v2 = makeRelease(work, 'v2', 2, { web: { instances: count } });
          const run = await startRun(work, v1, env, count);
          const stopLoad = await startLoad(run.port);
          await new Promise((r) => setTimeout(r, 1_000));
          const result = await runCli(['upgrade', '--to', v2, '--state', join(work, 'state'), '--json'], work, env);
          await new Promise((r) => setTimeout(r, 500));
          const load = await stopLoad();

          assert.equal(result.code, 0, result.stderr);
          const report = (JSON.parse(result.stdout) as { report: UpgradeReport }).report;
          assert.equal(report.status, 'succeeded');
          assert.deepEqual(
            report.steps.map((s) => `${s.step} ${s.status}`),
            ['stage', 'preflight', 'backup', 'expand', 'roll', 'validate', 'contract', 'record'].map(
              (s) => `${s} done`,
            ),
          );
          assert.deepEqual(report.migrations, { expand: ['0004_add_note_stats'], contract: ['0005_drop_note_words'] });
          // The backup step's archive (schema 0003), and at most one more: the automatic backup a 2.0.0 instance takes
          // (SQLite's default) when it applies the deferred contract migration itself, before the upgrade's contract step.
          const written = archives(work);
          assert.ok(written.includes(basename(report.backup!)), `${report.backup} among ${written.join(', ')}`);
          assert.ok(
            written.length === 1 || (written.length === 2 && written.some((f) => /-0004\.tar\.gz$/.test(f))),
            written.join(', '),
          );
          assertNoFailedRequest(load, 200);
          const status = await run.control.status();
          assert.deepEqual(await versionsServing(status), { '2.0.0': count });
          assert.equal(status.current.version, '2.0.0');

          // The order of events, from the history and the supervisor's own times.
          const applied = await appliedOf(work, env, join(v2, 'migrations'));
          const firstNew = report.instances.map((i) => Date.parse(i.startedAt)).sort()[0]!;
          const lastOldGone = report.instances
            .map((i) => Date.parse(i.oldExitedAt!))
            .sort()
            .at(-1)!;
          assert.equal(report.instances.length, count);
          assert.ok(
            Date.parse(applied['0004']!.appliedAt) <= firstNew,
            'the expand migration ran before the first 2.0.0 instance started',
          );
          assert.ok(
            Date.parse(applied['0005']!.appliedAt) >= lastOldGone,
            'the contract migration ran after the last 1.1.0 instance had drained',
          );
          const [journal] = await queryDb<{ state: string; active: unknown; to_version: string }>(
            db,
            'SELECT state, active, to_version FROM _molt_migrations_upgrades',
          );
          assert.deepEqual(
            { ...journal, active: journal!.active ?? null },
            { state: 'succeeded', active: null, to_version: '2.0.0' },
          );
          assert.equal(await stopRun(run), 0, run.stderr());
        },
      );
    }
  }
});

describe('npm run demo:upgrade', () => {
  it(
    'upgrades the sample from 1.1.0 to 2.0.0 under load with 0 failed requests, in well under a minute',
    { timeout: 120_000 },
    async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      assert.equal(
        pkg.scripts['demo:upgrade'],
        'tsc -p tsconfig.json && node dist/examples/sample-service/demo-upgrade.js',
      );
      const started = Date.now();
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'sample-service', 'demo-upgrade.js')], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.resume();
      const code = await new Promise((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, out);
      assert.match(out, /demo: molt upgrade exited 0 after [\d.]+ s/);
      assert.match(out, /demo: \d+ requests \(\d+ reads, \d+ writes\), 0 failed\n/);
      assert.match(out, /demo: instances now: 3 on 2\.0\.0/);
      assert.ok(Date.now() - started < 60_000, `the demo took ${Date.now() - started} ms`);
    },
  );
});

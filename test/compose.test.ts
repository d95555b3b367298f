// molt upgrade --runtime compose against a real Docker daemon: three replicas of the sample behind HAProxy, a client
// sending reads and writes through the proxy, and a rolling replace onto the new image with no failed request.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UpgradeReport } from '../src/upgrade/index.js';
import {
  buildImages,
  dockerMissing,
  poisonedImage,
  startComposeProject,
  stopComposeProject,
} from './helpers/compose-images.js';
import { killAll, runCli, startLoad, type LoadResult } from './helpers/upgrade-harness.js';

const missing = dockerMissing();
after(killAll);

/** The upgrade command for the project in `dir`, with `more` flags. */
function composeUpgrade(dir: string, more: string[]): string[] {
  return [
    'upgrade',
    '--runtime',
    'compose',
    '--compose-dir',
    dir,
    '--service',
    'app',
    '--molt-command',
    'node /app/dist/src/cli/main.js',
    '--state',
    join(dir, '.molt'),
    ...more,
  ];
}

/** The service's containers as `image state` lines, as `docker compose ps` lists them. */
function appContainers(dir: string): string[] {
  let ps = '';
  // `compose ps` fails when a container it listed is removed before it inspects it; a moment later it answers.
  for (let attempt = 1; ; attempt++) {
    try {
      ps = execFileSync('docker', ['compose', 'ps', '--all', '--format', '{{.Service}} {{.Image}} {{.State}}'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      break;
    } catch (error) {
      if (attempt >= 5 || !/no such container/i.test(String((error as { stderr?: unknown }).stderr))) throw error;
      execFileSync('sleep', ['0.3']);
    }
  }
  return ps
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('app '))
    .map((l) => l.slice(4))
    .sort();
}

/** No request through the proxy failed, and the load did run. */
function assertServed(load: LoadResult): void {
  assert.deepEqual(load.errors, {}, `failed requests: ${load.firstErrors.join('; ')}`);
  assert.deepEqual(Object.keys(load.statuses).sort(), ['200', '201'], JSON.stringify(load.statuses));
  assert.ok(load.sent > 500, `the load ran through the proxy: ${load.sent}`);
}

describe('Docker Compose', { skip: missing ?? false }, () => {
  it(
    '3 replicas behind HAProxy: molt upgrade --runtime compose rolls them onto the new image with 0 failed requests',
    { timeout: 300_000 },
    async (t) => {
      const images = buildImages();
      const { dir, port } = await startComposeProject(images, 'molt-test');
      t.after(() => stopComposeProject(dir)); // idle replicas' health checks would load the next test
      const stopLoad = await startLoad(port);
      await new Promise((r) => setTimeout(r, 1_500));

      const env = { MOLT_DATABASE_URL: `sqlite:${join(dir, 'data', 'app.db')}` };
      const result = await runCli(composeUpgrade(dir, ['--to', images.v2, '--json']), dir, env);
      await new Promise((r) => setTimeout(r, 1_000));
      const load = await stopLoad();
      assert.equal(result.code, 0, result.stderr);
      const report = (JSON.parse(result.stdout) as { report: UpgradeReport }).report;
      assert.equal(report.status, 'succeeded');
      assert.equal(report.runtime, 'compose');
      assert.deepEqual(report.migrations, { expand: ['0004_add_note_stats'], contract: ['0005_drop_note_words'] });
      assert.deepEqual(
        report.instances.map((i) => i.status),
        ['replaced', 'replaced', 'replaced'],
      );
      assertServed(load);
      assert.ok(load.sent > 1_000, `the load ran through the proxy: ${load.sent}`);

      // Three containers, every one on the new image and answering 2.0.0; .env names it for the next `up`.
      assert.deepEqual(appContainers(dir), Array(3).fill(`${images.v2} running`));
      for (let i = 0; i < 6; i++) {
        const version = (await (await fetch(`http://127.0.0.1:${port}/api/version`)).json()) as { version: string };
        assert.equal(version.version, '2.0.0');
      }
      assert.match(
        readFileSync(join(dir, '.env'), 'utf8'),
        new RegExp(`^APP_IMAGE=${images.v2.replace('.', '\\.')}$`, 'm'),
      );
    },
  );

  it(
    'an image that never gets ready stops the roll with the old containers serving; a killed upgrade goes back with --rollback',
    { timeout: 300_000 },
    async (t) => {
      const images = buildImages();
      const poisoned = poisonedImage(images.v2, 'molt-sample:2.0.0-poisoned');
      const { dir, port } = await startComposeProject(images, 'molt-fail');
      t.after(() => stopComposeProject(dir)); // idle replicas' health checks would load the next test
      const env = { MOLT_DATABASE_URL: `sqlite:${join(dir, 'data', 'app.db')}` };
      const stopLoad = await startLoad(port);
      await new Promise((r) => setTimeout(r, 1_000));

      // The poisoned image: its migrations pass, its process never listens. The roll stops at the first new container,
      // which is removed; the three old ones never stopped.
      const bad = await runCli(composeUpgrade(dir, ['--to', poisoned, '--ready-timeout', '4s', '--json']), dir, env);
      assert.equal(bad.code, 16, bad.stderr);
      const report = (JSON.parse(bad.stdout) as { report: UpgradeReport }).report;
      assert.equal(report.status, 'aborted');
      assert.deepEqual(
        report.steps.map((s) => `${s.step} ${s.status}`),
        ['stage done', 'preflight done', 'backup done', 'expand done', 'roll failed', 'rollback done'],
      );
      assert.match(report.reason!, /aborted at \S+ \(1\/3\): ready: not ready after 4 s/);
      assert.deepEqual(appContainers(dir), Array(3).fill(`${images.v1} running`));
      assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^APP_IMAGE=molt-sample:1\.1\.0$/m);

      // Killed while the new container is still on trial, the project has one container too many: --rollback removes
      // it instead of keeping a fourth replica.
      let upgrading: ChildProcess | null = null;
      let rolling = false;
      const onTrial = runCli(
        composeUpgrade(dir, ['--to', poisoned, '--ready-timeout', '60s']),
        dir,
        env,
        (stderr, child) => {
          upgrading = child;
          rolling = /upgrade: roll +\.\.\./.test(stderr);
        },
      );
      // Past the expand step (whose `docker compose run` container is not a replica), a fourth container is on trial.
      for (let i = 0; !rolling || appContainers(dir).filter((c) => c.endsWith(' running')).length < 4; i++) {
        assert.ok(i < 120, 'the upgrade never started a fourth container');
        await new Promise((r) => setTimeout(r, 500));
      }
      upgrading!.kill('SIGKILL');
      assert.equal((await onTrial).signal, 'SIGKILL');
      assert.deepEqual(appContainers(dir), [...Array(3).fill(`${images.v1} running`), `${poisoned} running`]);
      const undone = await runCli(composeUpgrade(dir, ['--rollback', '--json']), dir, env);
      assert.equal(undone.code, 0, undone.stderr);
      assert.deepEqual(appContainers(dir), Array(3).fill(`${images.v1} running`));

      // A real release, its orchestrator killed once the first container is replaced: --rollback (with the same
      // runtime flags) returns the project to 1.1.0.
      const killed = await runCli(composeUpgrade(dir, ['--to', images.v2]), dir, env, (stderr, child) => {
        if (/roll +\S+ 1\.1\.0 -> 2\.0\.0: replaced/.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
      });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      assert.deepEqual(appContainers(dir), [...Array(2).fill(`${images.v1} running`), `${images.v2} running`].sort());
      const back = await runCli(composeUpgrade(dir, ['--rollback', '--json']), dir, env);
      assert.equal(back.code, 0, back.stderr);
      assert.equal((JSON.parse(back.stdout) as { report: UpgradeReport }).report.status, 'rolled_back');
      await new Promise((r) => setTimeout(r, 1_000));
      const load = await stopLoad();
      assertServed(load);
      assert.deepEqual(appContainers(dir), Array(3).fill(`${images.v1} running`));
      for (let i = 0; i < 6; i++) {
        const version = (await (await fetch(`http://127.0.0.1:${port}/api/version`)).json()) as { version: string };
        assert.equal(version.version, '1.1.0');
      }
    },
  );
});

// molt upgrade --runtime compose against a real Docker daemon: three replicas of the sample behind HAProxy, a client
// sending reads and writes through the proxy, and a rolling replace onto the new image with no failed request.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UpgradeReport } from '../src/upgrade/index.js';
import { buildImages, dockerMissing, startComposeProject, stopComposeProject } from './helpers/compose-images.js';
import { killAll, runCli, startLoad } from './helpers/upgrade-harness.js';

const missing = dockerMissing();
const projects: string[] = [];
after(async () => {
  await killAll();
  for (const dir of projects) stopComposeProject(dir);
});

describe('Docker Compose', { skip: missing ?? false }, () => {
  it(
    '3 replicas behind HAProxy: molt upgrade --runtime compose rolls them onto the new image with 0 failed requests',
    { timeout: 300_000 },
    async () => {
      const images = buildImages();
      const { dir, port } = await startComposeProject(images, 'molt-test');
      projects.push(dir);
      const stopLoad = await startLoad(port);
      await new Promise((r) => setTimeout(r, 1_500));

      const env = { MOLT_DATABASE_URL: `sqlite:${join(dir, 'data', 'app.db')}` };
      const result = await runCli(
        [
          'upgrade',
          '--runtime',
          'compose',
          '--compose-dir',
          dir,
          '--service',
          'app',
          '--to',
          images.v2,
          '--molt-command',
          'node /app/dist/src/cli/main.js',
          '--state',
          join(dir, '.molt'),
          '--json',
        ],
        dir,
        env,
      );
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

      assert.deepEqual(load.errors, {}, `failed requests: ${load.firstErrors.join('; ')}`);
      assert.deepEqual(Object.keys(load.statuses).sort(), ['200', '201'], JSON.stringify(load.statuses));
      assert.ok(load.sent > 1_000, `the load ran through the proxy: ${load.sent}`);

      // Three containers, every one on the new image and answering 2.0.0; .env names it for the next `up`.
      const ps = execFileSync('docker', ['compose', 'ps', '--format', '{{.Service}} {{.Image}} {{.State}}'], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.deepEqual(
        ps
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('app ')),
        [`app ${images.v2} running`, `app ${images.v2} running`, `app ${images.v2} running`],
      );
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
});

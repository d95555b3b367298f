// molt upgrade --runtime compose against a real Docker daemon: three replicas of the sample behind HAProxy, a client
// sending reads and writes through the proxy, and a rolling replace onto the new image with no failed request.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UpgradeReport } from '../src/upgrade/index.js';
import { ROOT } from './helpers/cli.js';
import { buildImages, dockerMissing } from './helpers/compose-images.js';
import { killAll, runCli, startLoad, workDir } from './helpers/upgrade-harness.js';

const missing = dockerMissing();
const projects: string[] = [];
after(async () => {
  await killAll();
  for (const dir of projects) {
    try {
      execFileSync('docker', ['compose', 'down', '--volumes', '--timeout', '2'], { cwd: dir, stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Docker Compose', { skip: missing ?? false }, () => {
  it(
    '3 replicas behind HAProxy: molt upgrade --runtime compose rolls them onto the new image with 0 failed requests',
    { timeout: 300_000 },
    async () => {
      const images = buildImages();
      const dir = workDir();
      projects.push(dir);
      cpSync(join(ROOT, 'examples', 'compose', 'compose.yaml'), join(dir, 'compose.yaml'));
      cpSync(join(ROOT, 'examples', 'compose', 'haproxy.cfg'), join(dir, 'haproxy.cfg'));
      mkdirSync(join(dir, 'data'));
      const port = await freePort();
      writeFileSync(
        join(dir, '.env'),
        [
          `APP_IMAGE=${images.v1}`,
          `PROXY_IMAGE=${images.proxy}`,
          `PROXY_BIND=127.0.0.1:${port}`,
          'APP_HEALTH_INTERVAL=1s',
          `COMPOSE_PROJECT_NAME=molt-test-${process.pid}-${port}`,
          '',
        ].join('\n'),
      );
      execFileSync('docker', ['compose', 'up', '-d', '--wait'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
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

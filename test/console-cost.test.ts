// A service that does not mount the console (or the fleet) loads none of it: checked on the module graph of the sample
// service booting for real. The time and memory figures are in the bench (`node dist/bench/console-cost.js`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, cleanEnv } from './helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'molt-cost-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Boots the sample service with a loader hook that lists every module it loads; returns those URLs. */
export async function modulesLoaded(env: Record<string, string>, name: string): Promise<string[]> {
  const hook = join(work, 'hook.mjs');
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(\`import { appendFileSync } from 'node:fs'; export async function load(url, ctx, next) { appendFileSync(process.env.MOLT_LOADED_LOG, url + '\\\\n'); return next(url, ctx); }\`));\n`,
  );
  const log = join(work, `${name}.log`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', hook, join(ROOT, 'dist/examples/sample-service/server.js')], {
    env: cleanEnv({ PORT: '0', MOLT_DATABASE_URL: `sqlite:${join(work, `${name}.db`)}`, MOLT_LOADED_LOG: log, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 300 && !/listening on/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(err, /listening on/, err);
  child.kill('SIGTERM');
  await exit;
  return readFileSync(log, 'utf8').trim().split('\n');
}

describe('the console costs nothing unless it is mounted', () => {
  it('the sample service without the fleet loads no module of the console, the fleet, ws or the browser tools', async () => {
    const plain = await modulesLoaded({}, 'plain');
    const heavy = plain.filter((url) =>
      /\/src\/(console|fleet|envelope)\/|\/node_modules\/(ws|playwright-core|axe-core)\//.test(url),
    );
    assert.deepEqual(heavy, []);
    assert.ok(
      plain.some((url) => url.includes('/src/lifecycle/')),
      'the hook saw the modules the service does load',
    );
    // The same check sees them when the service mounts the console.
    const mounted = await modulesLoaded({ MOLT_FLEET_ADMIN_TOKEN: 'a-long-admin-token-for-this-test' }, 'mounted');
    assert.ok(mounted.some((url) => url.includes('/src/console/console.js')));
    assert.ok(mounted.some((url) => url.includes('/src/fleet/server.js')));
  });
});

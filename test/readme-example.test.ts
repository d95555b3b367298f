import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, it } from 'node:test';
import { cleanEnv, ROOT } from './helpers/cli.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The first js example of a README section, and a service folder to run it in, with moltkit installed as a link. */
function exampleIn(heading: string, version: string): { code: string; dir: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))?.[1];
  assert.ok(code, `${heading} has a js example`);
  const dir = mkdtempSync(join(tmpdir(), 'molt-readme-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'migrations'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'moltkit'));
  writeFileSync(join(dir, 'package.json'), `{"name":"my-service","version":"${version}","type":"module"}\n`);
  return { code, dir };
}

/** Runs an example as `boot.mjs` in its service folder; it must exit 0. */
async function runExample(dir: string, code: string): Promise<{ stdout: string; stderr: string }> {
  writeFileSync(join(dir, 'boot.mjs'), code);
  const child = spawn(process.execPath, ['boot.mjs'], { cwd: dir, env: cleanEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(exit, 0, stderr);
  return { stdout, stderr };
}

it(
  'the README wiring of probes, drain and leases runs as written, drains on SIGTERM and exits 0',
  { timeout: 30_000 },
  async () => {
    const { code, dir } = exampleIn('## Probes, graceful drain and background jobs', '2.3.1');
    // The only change: a port the system picks, printed, instead of 8080.
    assert.match(code, /server\.listen\(8080, \(\) => life\.markReady\(\)\);/);
    writeFileSync(
      join(dir, 'service.mjs'),
      code.replace(
        'server.listen(8080, () => life.markReady());',
        "server.listen(0, () => { life.markReady(); console.log('port', server.address().port); });",
      ),
    );
    const child = spawn(process.execPath, ['service.mjs'], { cwd: dir, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /port (\d+)/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      void exit.then((c) => reject(new Error(`exited ${c}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    assert.equal(await (await fetch(`${base}/`)).text(), 'hello\n');
    const version = await (await fetch(`${base}/api/version`)).json();
    assert.equal(version.version, '2.3.1');
    let ready = await fetch(`${base}/readyz`);
    for (let i = 0; i < 20 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`${base}/readyz`);
    }
    assert.equal(ready.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exit, 0, stderr);
    assert.match(stderr, /molt: drained in [\d.]+ s, exit 0/);
  },
);

it('the README library example runs as written: migrate on boot, pending, the outcome form', async () => {
  const { code, dir } = exampleIn('## Library\n', '1.0.0');
  writeFileSync(join(dir, 'migrations', '0001_init.sql'), 'CREATE TABLE notes (id integer PRIMARY KEY, body text);\n');
  const { stdout, stderr } = await runExample(dir, code);
  assert.deepEqual(stdout.trim().split('\n'), ['migrated null 0001', '0 []', 'up_to_date']);
  assert.match(stderr, /molt: database migrated from empty to 0001/);
});

it('the README releases example runs as written: boot registers the instance, plan and rollback answer as data', async () => {
  const { code, dir } = exampleIn('## Releases: expand now, contract after the roll', '1.0.0');
  writeFileSync(join(dir, 'migrations', '0001_init.sql'), 'CREATE TABLE notes (id integer PRIMARY KEY, body text);\n');
  const { stdout } = await runExample(dir, code);
  assert.deepEqual(stdout.trim().split('\n'), ['rolling_safe 0 0', 'Releases this database has seen: 1.0.0']);
  // The drain removed the instance's row: nothing is left live.
  const status = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'status', '--json'], {
    cwd: dir,
    env: cleanEnv(),
  });
  let json = '';
  status.stdout.on('data', (d) => (json += d));
  await new Promise((resolve) => status.on('exit', resolve));
  assert.deepEqual(JSON.parse(json).report.instances, []);
});

it(
  'the README fleet example runs as written: the service mounts the fleet, an agent enrols and shows drifted',
  { timeout: 30_000 },
  async () => {
    const { code, dir } = exampleIn('## The fleet: agents that follow the server', '2.0.0');
    mkdirSync(join(dir, 'data'));
    // The only change: a free port instead of 8080.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    assert.equal(code.split('8080').length - 1, 3);
    const { stdout } = await runExample(dir, code.replaceAll('8080', String(port)));
    assert.match(stdout, /\[ 'edge-1 1\.4\.0 drifted' \]/);
  },
);

it(
  'the README console example runs as written: mounted, and nothing without signing in',
  { timeout: 30_000 },
  async () => {
    const { code, dir } = exampleIn('## The console: agents, upgrades and the schema', '1.0.0');
    mkdirSync(join(dir, 'data'));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const { stdout } = await runExample(dir, code.replaceAll('8080', String(port)));
    assert.equal(stdout.trim(), '401');
  },
);

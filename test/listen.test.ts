// listen(): the socket systemd or a supervisor passed (LISTEN_FDS from fd 3), else a port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MoltError } from '../src/errors.js';
import { inheritedSocket } from '../src/lifecycle/index.js';
import { cleanEnv, ROOT, writeFiles } from './helpers/cli.js';

const children: ReturnType<typeof spawn>[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('inheritedSocket: the systemd convention', () => {
  it('takes fd 3 when LISTEN_FDS says so for this process, and removes the variables so children do not take them', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_FDS: '1', LISTEN_PID: String(process.pid), LISTEN_FDNAMES: 'web' };
    assert.equal(inheritedSocket({ env }), 3);
    assert.deepEqual(env, {});
    assert.equal(inheritedSocket({ env: { LISTEN_FDS: '2' } }), 3, 'no LISTEN_PID: a supervisor that cannot know it');
    assert.equal(inheritedSocket({ env: { LISTEN_FDS: '2', LISTEN_FDNAMES: 'web:admin' }, name: 'admin' }), 4);
  });

  it('ignores sockets meant for another process or none at all, and names an unknown socket name', () => {
    const other: NodeJS.ProcessEnv = { LISTEN_FDS: '1', LISTEN_PID: String(process.pid + 1) };
    assert.equal(inheritedSocket({ env: other }), null);
    assert.deepEqual(other, {});
    assert.equal(inheritedSocket({ env: {} }), null);
    assert.equal(inheritedSocket({ env: { LISTEN_FDS: 'x' } }), null);
    assert.throws(
      () => inheritedSocket({ env: { LISTEN_FDS: '1', LISTEN_FDNAMES: 'web' }, name: 'admin' }),
      (error: unknown) =>
        error instanceof MoltError &&
        error.code === 'CONFIG_INVALID' &&
        /no inherited socket is named "admin"/.test(error.message),
    );
  });
});

describe('listen() in a real process', () => {
  it('serves on the socket its parent passed as fd 3, which stays open when the parent closes its own copy', async () => {
    const parent: Server = createServer();
    await new Promise<void>((resolve) => parent.listen(0, '127.0.0.1', resolve));
    const port = (parent.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'molt-listen-'));
    writeFiles(join(dir, 'migrations'), { '0001_t.sql': 'CREATE TABLE t (id int);\n' });
    const fd = (parent as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'test', 'helpers', 'release-service.js')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe', fd],
      env: cleanEnv({
        LISTEN_FDS: '1',
        MOLT_DATABASE_URL: `sqlite:${join(dir, 'app.db')}`,
        MOLT_MIGRATIONS_DIR: join(dir, 'migrations'),
        MOLT_APP_VERSION: '1.0.0',
        SERVICE_QUERY: 'SELECT COUNT(*) AS n FROM t',
      }),
    });
    children.push(child);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (/listening on/.test(stderr)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the service exited with ${code}: ${stderr}`)));
    });
    assert.match(stderr, new RegExp(`release 1\\.0\\.0 listening on ${port} \\(inherited fd 3\\)`));
    // The parent lets go of its copy: every connection now reaches the child, through the same port.
    await new Promise((resolve) => parent.close(resolve));
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/users`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), [{ n: 0 }]);
    }
    child.kill('SIGTERM');
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
  });
});

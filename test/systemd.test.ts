// The systemd units molt ships, checked by systemd's own verifier, and socket activation as systemd does it: a
// socket held by the parent and passed to `molt run`, which outlives a restart of the supervisor itself.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bindSocket, controlClient } from '../src/supervisor/index.js';
import { BIN, cleanEnv, ROOT } from './helpers/cli.js';
import { killAll, makeRelease, workDir, children } from './helpers/upgrade-harness.js';

after(killAll);

function verify(dir: string, units: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'systemd-analyze',
      ['verify', ...units.map((u) => join(dir, u))],
      { cwd: dir },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('the systemd units', () => {
  it('deploy/systemd/app.service and the socket-activated pair pass systemd-analyze verify; a broken copy does not', async () => {
    const plain = await verify(join(ROOT, 'deploy', 'systemd'), ['app.service']);
    assert.equal(plain.code, 0, plain.output);
    assert.equal(plain.output.trim(), '');
    const socket = await verify(join(ROOT, 'deploy', 'systemd-socket'), ['app.socket', 'app.service']);
    assert.equal(socket.code, 0, socket.output);
    assert.equal(socket.output.trim(), '');
    // The verifier is not a formality: an executable that does not exist is refused.
    const broken = mkdtempSync(join(tmpdir(), 'molt-unit-'));
    const text = readFileSync(join(ROOT, 'deploy', 'systemd', 'app.service'), 'utf8');
    writeFileSync(
      join(broken, 'app.service'),
      text.replace('ExecStart=/usr/bin/node', 'ExecStart=/usr/bin/no-such-node'),
    );
    const bad = await verify(broken, ['app.service']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /no-such-node/);
    // The unit runs what the README says: molt run with a state directory, drained by SIGTERM, killed as a group.
    assert.match(
      text,
      /^ExecStart=\/usr\/bin\/node \S+\/moltkit\/dist\/src\/cli\/main\.js run --state \S+ --port 8080$/m,
    );
    assert.match(text, /^KillMode=mixed$/m);
  });

  it('deploy/systemd-agent/edge-agent.service passes systemd-analyze verify, and lives on through the hand-over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-agent-unit-'));
    const text = readFileSync(join(ROOT, 'deploy', 'systemd-agent', 'edge-agent.service'), 'utf8');
    writeFileSync(join(dir, 'edge-agent.service'), text);
    const result = await verify(dir, ['edge-agent.service']);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output.trim(), '');
    // The old process exits after the hand-over: the unit must outlive its first process and restart a crashed one.
    assert.match(text, /^ExitType=cgroup$/m);
    assert.match(text, /^Restart=always$/m);
    assert.match(text, /^ExecStart=\/usr\/bin\/node \/var\/lib\/edge-agent\/current\/agent\.mjs$/m);
  });
});

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('socket activation', () => {
  it(
    'molt run takes the socket it is passed (LISTEN_FDS); a restart of molt run itself queues a request instead of refusing it',
    { timeout: 90_000 },
    async () => {
      const work = workDir();
      const release = makeRelease(work, 'v1', 1, { web: { instances: 2 } });
      // What systemd does for app.socket: it holds the socket; every molt run it starts inherits it as fd 3.
      const socket = bindSocket('127.0.0.1', 0);
      const env = cleanEnv({
        MOLT_DATABASE_URL: `sqlite:${join(work, 'app.db')}`,
        LISTEN_FDS: '1',
        LISTEN_FDNAMES: 'http',
      });
      const state = join(work, 'state');
      const start = async () => {
        const child = spawn(process.execPath, [BIN, 'run', release, '--state', state], {
          cwd: work,
          env,
          stdio: ['ignore', 'ignore', 'pipe', socket.fd],
        });
        children.push(child);
        let stderr = '';
        child.stderr!.on('data', (d) => (stderr += d));
        const control = controlClient(join(state, 'control.sock'));
        for (let i = 0; i < 300; i++) {
          const status = /control socket/.test(stderr) ? await control.status().catch(() => null) : null;
          if (status && status.instances.filter((x) => x.state === 'ready').length === 2)
            return { child, status, stderr: () => stderr };
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`molt run did not get ready: ${stderr}`);
      };
      const first = await start();
      assert.equal(first.status.port, socket.port, 'molt run reports the port of the socket it was passed');
      assert.match(first.stderr(), new RegExp(`on 127\\.0\\.0\\.1:${socket.port}`));
      assert.equal(await get(socket.port, '/notes'), 200);

      first.child.kill('SIGTERM');
      await new Promise((resolve) => first.child.once('exit', resolve));
      // Nothing serves now, yet the socket still listens: the request waits in its queue for the next molt run.
      const sentAt = Date.now();
      const answer = get(socket.port, '/notes');
      await new Promise((r) => setTimeout(r, 300));
      const second = await start();
      assert.equal(await answer, 200);
      assert.ok(Date.now() - sentAt >= 300, 'the request waited for the restarted supervisor');
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
      socket.close();
    },
  );
});

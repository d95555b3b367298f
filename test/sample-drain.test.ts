import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { cleanEnv, ROOT } from './helpers/cli.js';
import { createPostgresDatabase, type TestDatabase } from './helpers/databases.js';

const SERVER = join(ROOT, 'dist', 'examples', 'sample-service', 'server.js');
const LOAD = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'load.js');
const ROUTED_LOAD = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'routed-load.js');
const children: ChildProcess[] = [];
const dbs: TestDatabase[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const db of dbs) await db.drop();
});

interface Service {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<{ code: number | null; at: number }>;
}

/** Starts the sample on a port the system picks and resolves once it listens. */
function start(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, [SERVER], {
    cwd: mkdtempSync(join(tmpdir(), 'molt-sample-drain-')),
    env: cleanEnv({ PORT: '0', ...env }),
  });
  children.push(child);
  let stderr = '';
  const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]), stderr: () => stderr, exit });
    });
    void exit.then(({ code }) => reject(new Error(`the sample exited with ${code}: ${stderr}`)));
  });
}

const get = async (port: number, path: string): Promise<{ status: number; body: string }> => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
};

describe('the sample service under load', () => {
  for (const [name, env] of [
    ['SQLite', async () => ({})],
    [
      'PostgreSQL',
      async () => {
        const db = await createPostgresDatabase();
        dbs.push(db);
        return { DATABASE_URL: db.url };
      },
    ],
  ] as const) {
    it(
      `${name}: SIGTERM under load from a second process loses no request it started, and exits 0 within the budget`,
      { timeout: 60_000 },
      async () => {
        const DELAY = 500;
        const GRACE = 5_000;
        const app = await start({ ...(await env()), DRAIN_DELAY_MS: String(DELAY), DRAIN_GRACE_MS: String(GRACE) });
        // The listener opens before the first background database check has finished; readiness follows within seconds.
        const readyBy = Date.now() + 10_000;
        let first = await get(app.port, '/readyz');
        while (first.status !== 200 && Date.now() < readyBy) {
          await new Promise((r) => setTimeout(r, 50));
          first = await get(app.port, '/readyz');
        }
        assert.equal(first.status, 200, first.body);
        // Slow requests (150 ms each) from 16 connections: at any moment about 16 are in flight.
        const load = spawn(process.execPath, [LOAD, `http://127.0.0.1:${app.port}/notes?delay=150`, '16', '5'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(load);
        let out = '';
        load.stdout!.on('data', (d) => (out += d));
        const loadDone = new Promise<void>((resolve) => load.on('exit', () => resolve()));
        while (!out.includes('started')) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 1_500));

        const signalled = Date.now();
        app.child.kill('SIGTERM');
        // Readiness turns as soon as the signal is handled, while the service still answers during the propagation delay.
        let ready = await get(app.port, '/readyz');
        while (ready.status === 200 && Date.now() - signalled < DELAY / 2) ready = await get(app.port, '/readyz');
        assert.equal(ready.status, 503, `readiness still 200 ${Date.now() - signalled} ms after SIGTERM`);
        assert.equal(JSON.parse(ready.body).checks['lifecycle:phase'][0].observedValue, 'draining');
        assert.equal((await get(app.port, '/healthz')).status, 200, 'liveness stays 200 while draining');

        const { code, at } = await app.exit;
        await loadDone;
        const { statuses, errors } = JSON.parse(out.trim().split('\n').at(-1)!) as {
          statuses: Record<string, number>;
          errors: Record<string, number>;
        };
        const served = Number(/answered (\d+) note requests/.exec(app.stderr())?.[1]);

        assert.equal(code, 0, app.stderr());
        assert.ok(
          at - signalled < DELAY + GRACE + 5_000,
          `exit came ${at - signalled} ms after SIGTERM, over the budget`,
        );
        assert.deepEqual(Object.keys(statuses), ['200'], `every answer is a 200: ${JSON.stringify(statuses)}`);
        assert.ok(statuses['200'] > 50, `the load ran: ${statuses['200']} answers`);
        // Every request the service started was answered and reached the client; the rest were refused before they started.
        assert.equal(
          statuses['200'],
          served,
          `the service answered ${served}, the client received ${statuses['200']}; errors ${JSON.stringify(errors)}`,
        );
        assert.match(app.stderr(), /molt: draining \(SIGTERM\)[\s\S]*molt: drained in [\d.]+ s, exit 0/);
      },
    );
  }

  it(
    'defaults, as `npm start` runs it: SIGTERM under a client that routes by /readyz loses no request',
    { timeout: 60_000 },
    async () => {
      // No drain setting at all: the propagation delay sees the poller and waits for it.
      const app = await start({});
      const readyBy = Date.now() + 10_000;
      while ((await get(app.port, '/readyz')).status !== 200 && Date.now() < readyBy)
        await new Promise((r) => setTimeout(r, 50));
      const load = spawn(process.execPath, [ROUTED_LOAD], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, LOAD_TARGETS: String(app.port), LOAD_RATE: '200', LOAD_POLL_MS: '500' },
      });
      children.push(load);
      let out = '';
      load.stdout!.on('data', (d) => (out += d));
      while (!out.includes('started')) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 1_500));
      const signalled = Date.now();
      app.child.kill('SIGTERM');
      const { code, at } = await app.exit;
      // The client keeps going after the service has left: nothing it sent may have failed.
      await new Promise((r) => setTimeout(r, 500));
      load.kill('SIGTERM');
      await new Promise((resolve) => load.on('exit', resolve));
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
        sent: number;
        statuses: Record<string, number>;
        errors: Record<string, number>;
        firstErrors: string[];
      };
      assert.equal(code, 0, app.stderr());
      assert.deepEqual(result.errors, {}, `failed requests: ${result.firstErrors.join('; ')}`);
      assert.deepEqual(
        Object.keys(result.statuses).sort(),
        ['200', '201'],
        `answers: ${JSON.stringify(result.statuses)}`,
      );
      assert.ok(result.sent > 150, `the load ran: ${result.sent} requests`);
      assert.match(app.stderr(), /stop accepting once readiness pollers saw it and traffic stopped \(0 s to 9 s\)/);
      assert.ok(at - signalled < 9_000 + 15_000, `the drain took ${at - signalled} ms`);
    },
  );

  it('probes, version, and the background job on leases', { timeout: 30_000 }, async () => {
    const app = await start({ COMMIT_SHA: 'abc1234' });
    const version = JSON.parse((await get(app.port, '/api/version')).body);
    assert.equal(version.version, '1.1.0');
    assert.equal(version.commit, 'abc1234');
    assert.deepEqual(version.schema, { applied: '0003', required: '0003', maxKnown: '0003' });
    const created = await fetch(`http://127.0.0.1:${app.port}/notes`, { method: 'POST', body: 'three small words' });
    assert.equal(created.status, 201);
    let words: number | null = null;
    for (let i = 0; i < 50 && words === null; i++) {
      words = (JSON.parse((await get(app.port, '/notes')).body) as { words: number | null }[])[0].words;
      if (words === null) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(words, 3, 'the job counted the words');
    assert.deepEqual(JSON.parse((await get(app.port, '/jobs')).body), {
      queued: 0,
      running: 0,
      done: 1,
      failed: 0,
      quarantined: 0,
    });
    app.child.kill('SIGTERM');
    assert.equal((await app.exit).code, 0);
  });
});

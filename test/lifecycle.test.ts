import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createLifecycle, type DrainReport, type LifecycleSettings } from '../src/lifecycle/index.js';
import { resolveSettings } from '../src/lifecycle/options.js';
import { MoltError } from '../src/errors.js';
import { get, startService, stubbornWebSocket, type Outcome, type Service } from './helpers/lifecycle-client.js';

const started: Service[] = [];
async function service(env: Record<string, string>): Promise<Service> {
  const app = await startService(env);
  started.push(app);
  return app;
}
after(() => {
  for (const app of started)
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
});

/** Sends SIGTERM once the service is up and resolves when its drain has started. */
async function sigterm(app: Service): Promise<number> {
  const at = Date.now();
  app.child.kill('SIGTERM');
  await app.waitFor(/molt: draining \(SIGTERM\)/, 'stderr');
  return at;
}

describe('molt/lifecycle drains a real process', { concurrency: true }, () => {
  it('SIGTERM: readiness 503 at once, serving through the delay, then refused; the slow request completes; hooks in reverse; exit 0', async () => {
    const app = await service({ DRAIN_DELAY_MS: '1000', GRACE_MS: '5000' });
    const before = await get(app.port, '/readyz');
    assert.ok(before.ok && before.status === 200);
    // Through a keep-alive agent, so the `Connection: close` it gets back comes from the drain, not from the client.
    const keepAlive = new Agent({ keepAlive: true });
    const slow = get(app.port, '/slow?ms=3000', keepAlive);
    await app.waitFor(/^slow 3000 started$/m);

    const signalled = await sigterm(app);
    const drainingSeen = Date.now();
    const [ready, health, other] = await Promise.all([
      get(app.port, '/readyz'),
      get(app.port, '/healthz'),
      get(app.port, '/anything'),
    ]);
    // All three were accepted and answered: the listener is still open during the propagation delay.
    assert.ok(
      ready.ok && health.ok && other.ok,
      `a request was not answered: ${JSON.stringify([ready, health, other])}`,
    );
    assert.equal(ready.status, 503);
    assert.equal(ready.body, 'draining');
    assert.equal(health.status, 200);
    assert.equal(other.status, 200);
    assert.match(app.stdout(), /^observer: draining \(SIGTERM\), phase draining$/m);

    await sleep(drainingSeen + 1_300 - Date.now());
    const refused = await get(app.port, '/healthz');
    assert.deepEqual(refused.ok ? refused.status : [refused.error, refused.connected], ['ECONNREFUSED', false]);
    assert.equal(app.child.exitCode, null, 'refused by the draining process, not by a dead one');

    const done = await slow;
    assert.ok(done.ok, `the slow request failed: ${JSON.stringify(done)}`);
    assert.equal(done.status, 200);
    assert.equal(done.body, 'slept 3000 ms');
    assert.equal(done.connection, 'close');
    keepAlive.destroy();

    const exit = await app.exit;
    assert.equal(exit.code, 0);
    assert.ok(exit.at - signalled < 1_000 + 5_000, `exited ${exit.at - signalled} ms after SIGTERM, beyond the budget`);
    assert.deepEqual(app.lines('hook '), ['hook metrics', 'hook cache', 'hook db']);
    assert.match(
      app.stderr(),
      /^molt: draining \(SIGTERM\): readiness 503 now, stop accepting in 1 s, grace 5 s, close hooks 5 s$/m,
    );
    assert.match(app.stderr(), /^molt: drained in \d\.\d s, exit 0$/m);
    const report = app.report()!;
    assert.equal(report.forced, false);
    assert.equal(report.reason, 'SIGTERM');
    assert.deepEqual(report.requests, { completed: 4, forced: 0, aborted: 0 });
    assert.deepEqual(
      report.participants.map((p) => [p.name, p.status]),
      [['jobs', 'ok']],
    );
  });

  it('a request that outlives the grace period is cut, the job is aborted and released, and the exit is 1 with what was forced', async () => {
    const app = await service({ GRACE_MS: '700', ABORT_GRACE_MS: '500' });
    assert.ok((await get(app.port, '/job?ms=30000')).ok);
    const slow = get(app.port, '/slow?ms=30000');
    await app.waitFor(/^slow 30000 started$/m);
    const signalled = await sigterm(app);

    const cut = await slow;
    assert.deepEqual(cut.ok ? cut.status : [cut.error, cut.connected], ['ECONNRESET', true]);
    assert.ok(cut.at - signalled >= 650, `cut ${cut.at - signalled} ms after SIGTERM, before the grace period ended`);
    const exit = await app.exit;
    assert.equal(exit.code, 1);
    assert.ok(exit.at - signalled < 700 + 500 + 2_500, `exited ${exit.at - signalled} ms after SIGTERM`);
    // The aborted job was handed back before the close hooks closed what it needs.
    assert.match(
      app.stdout(),
      /jobs: 1 released as interrupted \(the drain's grace period of 700 ms has passed\)\nhook metrics\nhook cache\nhook db\n/,
    );
    assert.match(
      app.stderr(),
      /^molt: drained in \d\.\d s, exit 1; forced: 1 request cut at the deadline, 1 socket destroyed, participant "jobs" timed out$/m,
    );
    const report = app.report()!;
    assert.equal(report.forced, true);
    assert.deepEqual(report.requests, { completed: 0, forced: 1, aborted: 0 });
    assert.equal(report.sockets.destroyed, 1);
    assert.equal(report.participants[0]!.status, 'timeout');
    assert.deepEqual(
      report.hooks.map((h) => h.status),
      ['ok', 'ok', 'ok'],
    );
  });

  it('a second SIGTERM during the drain exits 1 at once', async () => {
    const app = await service({ GRACE_MS: '20000' });
    const slow = get(app.port, '/slow?ms=30000');
    await app.waitFor(/^slow 30000 started$/m);
    await sigterm(app);
    await sleep(200);
    const second = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exit;
    assert.equal(exit.code, 1);
    assert.ok(exit.at - second < 2_000, `exited ${exit.at - second} ms after the second SIGTERM`);
    assert.match(app.stderr(), /^molt: second SIGTERM during the drain, exit 1 at once$/m);
    assert.deepEqual(app.lines('hook '), []);
    assert.equal((await slow).ok, false);
  });

  it('an open WebSocket receives close 1001 when the listener closes, and the drain is clean', async () => {
    const app = await service({ DRAIN_DELAY_MS: '300' });
    const client = new WebSocket(`ws://127.0.0.1:${app.port}/`);
    const hello = await new Promise<string>((resolve, reject) => {
      client.once('message', (data) => resolve(String(data)));
      client.once('error', reject);
    });
    assert.equal(hello, 'hello');
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
      client.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })),
    );
    const signalled = await sigterm(app);
    const close = await closed;
    assert.deepEqual([close.code, close.reason], [1001, 'server is draining']);
    assert.ok(close.at - signalled >= 250, 'WebSockets stay open through the propagation delay');
    assert.equal((await app.exit).code, 0);
    assert.deepEqual(app.report()!.webSockets, { closed: 1, terminated: 0 });
  });

  it('a WebSocket client that never answers the close is terminated at the deadline, and that counts as forced', async () => {
    const app = await service({ GRACE_MS: '600', ABORT_GRACE_MS: '0' });
    const stubborn = await stubbornWebSocket(app.port);
    await stubborn.opened;
    const signalled = await sigterm(app);
    assert.equal(await stubborn.closeCode, 1001);
    await stubborn.ended;
    assert.ok(Date.now() - signalled >= 550, 'the socket stayed open until the deadline');
    assert.equal((await app.exit).code, 1);
    assert.deepEqual(app.report()!.webSockets, { closed: 1, terminated: 1 });
    assert.match(app.stderr(), /forced: 1 WebSocket terminated$/m);
  });

  it('a close hook that hangs is cut at its own timeout, a failing one is logged, and the later hooks still run; exit 1', async () => {
    const app = await service({ HANG_HOOK: 'cache', FAIL_HOOK: 'metrics', HOOK_TIMEOUT_MS: '300' });
    const signalled = await sigterm(app);
    const exit = await app.exit;
    assert.equal(exit.code, 1);
    assert.ok(exit.at - signalled < 2_500, `exited ${exit.at - signalled} ms after SIGTERM`);
    assert.deepEqual(app.lines('hook '), ['hook metrics', 'hook cache', 'hook db']);
    assert.match(app.stderr(), /^molt: close hook "metrics" failed: metrics refused to close$/m);
    assert.match(app.stderr(), /^molt: close hook "cache" timed out after 300 ms$/m);
    assert.match(app.stderr(), /exit 1; forced: close hook "metrics" failed, close hook "cache" timed out$/m);
    const hooks = app.report()!.hooks;
    assert.deepEqual(
      hooks.map((h) => [h.name, h.status]),
      [
        ['metrics', 'failed'],
        ['cache', 'timeout'],
        ['db', 'ok'],
      ],
    );
    assert.equal(hooks[0]!.error, 'metrics refused to close');
  });

  it('the close hooks share one total: a hook that hangs past it is cut there and the hooks after it are skipped', async () => {
    const app = await service({ HANG_HOOK: 'cache', HOOK_TIMEOUT_MS: '5000', HOOKS_TOTAL_MS: '400' });
    const signalled = await sigterm(app);
    const exit = await app.exit;
    assert.equal(exit.code, 1);
    assert.ok(exit.at - signalled < 2_500, `exited ${exit.at - signalled} ms after SIGTERM`);
    assert.deepEqual(app.lines('hook '), ['hook metrics', 'hook cache']);
    assert.deepEqual(
      app.report()!.hooks.map((h) => [h.name, h.status]),
      [
        ['metrics', 'ok'],
        ['cache', 'timeout'],
        ['db', 'skipped'],
      ],
    );
  });

  it('a keep-alive client sending back to back across the drain never sees a reset: each request is answered or refused', async () => {
    // The listener closes at 0.4 s; idle sockets after 3 s of idle grace, but never sooner than the server's own
    // keep-alive timeout (5 s, plus the second Node adds) would have closed them: 6 s.
    const app = await service({ DRAIN_DELAY_MS: '400', GRACE_MS: '8000', IDLE_GRACE_MS: '3000' });
    const busy = new Agent({ keepAlive: true, maxSockets: 4 });
    const reusing = new Agent({ keepAlive: true, maxSockets: 1 });
    const outcomes: Outcome[][] = [[], [], [], []];
    const loop = async (mine: Outcome[]): Promise<void> => {
      for (;;) {
        const outcome = await get(app.port, '/slow?ms=5', busy);
        mine.push(outcome);
        if (!outcome.ok) return;
      }
    };
    const loops = Promise.all(outcomes.map(loop));
    // One socket sits parked in its pool through the whole drain.
    const parked = new Agent({ keepAlive: true, maxSockets: 1 });
    await sleep(300);
    const [warm, parkedWarm] = await Promise.all([
      get(app.port, '/healthz', reusing),
      get(app.port, '/healthz', parked),
    ]);
    assert.ok(warm.ok && warm.connection === 'keep-alive' && parkedWarm.ok);
    const parkedSocket = Object.values(parked.freeSockets)[0]![0]!;
    const parkedClosed = new Promise<number>((resolve) => parkedSocket.once('close', () => resolve(Date.now())));
    const signalled = await sigterm(app);
    // Every loop was refused, so the listener is closed; within the idle grace a request on a pooled socket is answered.
    await loops;
    const pooled = await get(app.port, '/healthz', reusing);
    assert.ok(pooled.ok, `the pooled socket was cut: ${JSON.stringify(pooled)}`);
    assert.deepEqual([pooled.status, pooled.connection, pooled.reused], [200, 'close', true]);
    const later = await get(app.port, '/healthz', reusing);
    assert.deepEqual(later.ok ? later.status : [later.error, later.connected], ['ECONNREFUSED', false]);
    // The parked socket was closed after the idle grace: the agent saw it close and connects anew.
    const exit = await app.exit;
    const afterIdle = await get(app.port, '/healthz', parked);
    assert.deepEqual(afterIdle.ok ? afterIdle.status : [afterIdle.error, afterIdle.connected], ['ECONNREFUSED', false]);
    for (const agent of [busy, reusing, parked]) agent.destroy();

    for (const mine of outcomes) {
      // Each loop ends the same way: its socket's last response says `Connection: close`, and the new connection is refused.
      const [answer, refusal] = mine.slice(-2);
      assert.deepEqual(refusal!.ok ? refusal!.status : [refusal!.error, refusal!.connected], ['ECONNREFUSED', false]);
      assert.ok(
        answer!.ok && answer!.connection === 'close',
        `the last answer before the refusal: ${JSON.stringify(answer)}`,
      );
      assert.ok(
        mine.slice(0, -1).every((o) => o.ok),
        `a request failed: ${JSON.stringify(mine.filter((o) => !o.ok))}`,
      );
    }
    // Through the propagation delay the service serves as before, keep-alive included.
    const duringDelay = outcomes.flat().filter((o) => o.ok && o.at > signalled + 50 && o.at < signalled + 350);
    assert.ok(duringDelay.length > 0 && duringDelay.every((o) => o.ok && o.connection === 'keep-alive'));
    assert.equal(exit.code, 0);
    // Idle since its answer just before SIGTERM, it was closed when the server's keep-alive timeout would have closed it
    // (6 s), not when the listener closed (0.4 s), nor after the shorter idle grace (3 s).
    const parkedFor = (await parkedClosed) - parkedWarm.at;
    assert.ok(parkedFor >= 5_500, `the parked socket was closed ${parkedFor} ms after its last answer`);
    const report = app.report()!;
    assert.equal(report.forced, false);
    assert.equal(report.sockets.idleClosed, 1);
  });

  it('drain() from code resolves the report, the same promise twice, without exiting the process', async () => {
    const app = await service({ GRACE_MS: '3000' });
    assert.ok((await get(app.port, '/job?ms=1500')).ok);
    assert.ok((await get(app.port, '/drain?reason=deploy')).ok);
    await app.waitFor(/^phase stopped$/m);
    await app.waitFor(/^molt: drained in \d\.\d s$/m, 'stderr');
    assert.match(app.stdout(), /^same promise: true$/m);
    assert.match(app.stdout(), /^observer: draining \(deploy\), phase draining$/m);
    // The drain waited for the running job before the close hooks ran.
    assert.match(app.stdout(), /^jobs: draining 1\n[^]*^jobs: all done\nhook metrics\nhook cache\nhook db\n/m);
    const report = app.report() as DrainReport;
    assert.equal(report.reason, 'deploy');
    assert.equal(report.forced, false);
    assert.ok(report.durationMs > 500 && report.durationMs < 3_000, `drained in ${report.durationMs} ms`);
    assert.deepEqual(
      report.participants.map((p) => [p.name, p.status]),
      [['jobs', 'ok']],
    );
    assert.deepEqual(
      report.hooks.map((h) => [h.name, h.status]),
      [
        ['metrics', 'ok'],
        ['cache', 'ok'],
        ['db', 'ok'],
      ],
    );
    // Nothing is left holding the event loop: the process ends on its own, and nobody called exit.
    const exit = await app.exit;
    assert.equal(exit.code, 0);
    assert.doesNotMatch(app.stdout(), /^exit /m);
  });

  it('defaults: a 5 s propagation delay under Kubernetes, none locally; warns when the budget exceeds the kill timeout', async () => {
    const [kube, local] = await Promise.all([
      service({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KILL_TIMEOUT_MS: '10000' }),
      service({}),
    ]);
    const settings = (app: Service): Record<string, unknown> =>
      JSON.parse(app.lines('settings ')[0]!.slice('settings '.length));
    assert.deepEqual(settings(local), {
      drainDelayMs: 0,
      drainDelayMaxMs: 9000,
      graceMs: 15000,
      idleGraceMs: 1000,
      abortGraceMs: 1000,
      hookTimeoutMs: 3000,
      hooksTotalMs: 5000,
    });
    assert.equal(settings(kube).drainDelayMs, 5000);
    assert.match(
      kube.stderr(),
      /^molt: drain budget 30 s \(delay up to 9 s \+ grace 15 s \+ abort 1 s \+ close hooks 5 s\) exceeds the kill timeout 10 s: .*lower graceMs/m,
    );
    assert.equal(local.stderr(), '');
    kube.child.kill('SIGKILL');
    local.child.kill('SIGKILL');
  });

  it('the propagation delay: adaptive up to 9 s by default, fixed when set, none on an inherited socket', () => {
    assert.deepEqual(pick(resolveSettings({}, {})), [0, 9000]);
    assert.deepEqual(pick(resolveSettings({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })), [5000, 9000]);
    assert.deepEqual(pick(resolveSettings({ drainDelayMs: 2000 }, {})), [2000, 2000]);
    assert.deepEqual(pick(resolveSettings({ drainDelayMs: 2000, drainDelayMaxMs: 4000 }, {})), [2000, 4000]);
    assert.deepEqual(pick(resolveSettings({ drainDelayMaxMs: 500, drainDelayMs: 1000 }, {})), [1000, 1000]);
    // molt run or systemd holds the socket open: the queue waits for the next instance, so nothing to wait for.
    assert.deepEqual(pick(resolveSettings({}, { LISTEN_FDS: '1', KUBERNETES_SERVICE_HOST: 'x' })), [0, 0]);
  });

  it('rejects a bad option with a MoltError naming the option and the value', () => {
    assert.throws(
      () => createLifecycle({ graceMs: -5 }),
      (error: unknown) =>
        error instanceof MoltError && error.code === 'CONFIG_INVALID' && /graceMs is -5/.test(error.message),
    );
    assert.throws(
      () => createLifecycle({ drainDelayMs: Number.NaN }),
      /drainDelayMs is NaN, not a number of milliseconds/,
    );
    const life = createLifecycle({ logger: () => {} });
    assert.throws(() => life.onClose('db', () => {}, { timeoutMs: '3s' as unknown as number }), /timeoutMs is "3s"/);
    assert.throws(() => life.register({ name: '', drain: async () => {} }), /needs a name/);
    assert.equal(life.phase, 'starting');
    life.markReady();
    assert.equal(life.phase, 'ready');
  });
});

function pick(settings: LifecycleSettings): [number, number] {
  return [settings.drainDelayMs, settings.drainDelayMaxMs];
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MoltError } from '../src/errors.js';
import { describeLeases, startWorker, until, type WorkerLine } from './helpers/lease-harness.js';

// Short leases so a dead worker is noticed in seconds; the defaults (45 s / 10 s / 15 s) scale the same way.
const TTL = 1500;
const HEARTBEAT = 300;
const SWEEP = 500;
/** Slack for starting a Node process and opening a connection, on a loaded 2-core machine. */
const MARGIN = 1000;
const timing = { LEASE_TTL_MS: TTL, LEASE_HEARTBEAT_MS: HEARTBEAT, LEASE_SWEEP_MS: SWEEP };

const line =
  (event: string, id: string, more: (l: WorkerLine) => boolean = () => true) =>
  (l: WorkerLine): boolean =>
    l.event === event && l.id === id && more(l);
const lostLease = (error: unknown): boolean => error instanceof MoltError && error.code === 'LEASE_LOST';

describeLeases('worker processes on', (ctx) => {
  it('a worker killed with SIGKILL mid-job: the job is resubmitted within TTL + one sweep, completed once, and the killed epoch is fenced out', async () => {
    const id = await ctx.leases.submit('kill', { n: 1 });
    const doomed = startWorker(ctx.db.url, { ...timing, LEASE_KIND: 'kill', LEASE_MODE: 'hang' });
    assert.equal((await doomed.waitFor(line('ran', id))).epoch, 1);
    await doomed.waitFor((l) => l.event === 'ready');
    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal((await doomed.exited).signal, 'SIGKILL');

    const rescuer = startWorker(ctx.db.url, { ...timing, LEASE_KIND: 'kill', LEASE_MODE: 'complete' });
    const reclaimed = await rescuer.waitFor(line('claimed', id));
    const waited = reclaimed.t - killedAt;
    // The last heartbeat came at most one period before the kill, so the lease ran at least TTL - heartbeat longer.
    assert.ok(
      waited >= TTL - HEARTBEAT,
      `resubmitted ${waited} ms after the kill, before the lease could have expired`,
    );
    assert.ok(
      waited <= TTL + SWEEP + MARGIN,
      `resubmitted ${waited} ms after the kill; the bound is TTL ${TTL} + sweep ${SWEEP} + ${MARGIN} ms margin`,
    );
    assert.equal(reclaimed.epoch, 2);
    const swept = await rescuer.waitFor((l) => l.event === 'swept' && JSON.stringify(l.report).includes(id));
    assert.deepEqual(
      (swept.report as { items: { id: string; status: string }[] }).items
        .filter((i) => i.id === id)
        .map((i) => i.status),
      ['requeued'],
    );

    await rescuer.waitFor(line('completed', id));
    const owner = (await rescuer.waitFor((l) => l.event === 'ready')).owner;
    const done = await ctx.leases.get(id);
    assert.deepEqual(
      [done.state, done.epoch, done.attempts, done.crashes, done.result],
      ['done', 2, 2, 1, { by: owner, attempt: 2 }],
    );
    assert.equal(rescuer.lines.filter(line('ran', id)).length, 1, 'the job ran more than once after the crash');

    // What the killed attempt would have sent, had it lived: rejected, and nothing changes.
    await assert.rejects(ctx.leases.complete(id, 1, { by: 'the killed attempt' }), lostLease);
    await assert.rejects(ctx.leases.heartbeat(id, 1), lostLease);
    assert.deepEqual(await ctx.leases.get(id), done);
    rescuer.child.kill('SIGTERM');
    assert.equal((await rescuer.exited).code, 0, rescuer.stderr());
  });

  it('a frozen worker (SIGSTOP) loses its lease; after SIGCONT its handler is aborted and its late heartbeat and completion are rejected', async () => {
    const id = await ctx.leases.submit('stop', { n: 2 });
    const frozen = startWorker(ctx.db.url, {
      ...timing,
      LEASE_KIND: 'stop',
      LEASE_MODE: 'complete',
      LEASE_WORK_MS: 60_000,
      LEASE_LATE: 1,
    });
    await frozen.waitFor((l) => l.event === 'ready');
    await frozen.waitFor(line('ran', id));
    frozen.child.kill('SIGSTOP');
    const stoppedAt = Date.now();

    const other = startWorker(ctx.db.url, { ...timing, LEASE_KIND: 'stop', LEASE_MODE: 'complete' });
    const otherOwner = (await other.waitFor((l) => l.event === 'ready')).owner;
    const reclaimed = await other.waitFor(line('claimed', id));
    assert.ok(
      reclaimed.t - stoppedAt <= TTL + SWEEP + MARGIN,
      `resubmitted ${reclaimed.t - stoppedAt} ms after the freeze`,
    );
    await other.waitFor(line('completed', id));
    const done = await ctx.leases.get(id);
    assert.deepEqual([done.state, done.epoch, done.result], ['done', 2, { by: otherOwner, attempt: 2 }]);

    frozen.child.kill('SIGCONT');
    const lost = await frozen.waitFor(line('lost', id));
    assert.equal(lost.epoch, 1);
    assert.equal((await frozen.waitFor(line('aborted', id))).reason, 'LEASE_LOST');
    const late = await Promise.all(
      ['heartbeat', 'complete'].map((what) => frozen.waitFor(line('late', id, (l) => l.what === what))),
    );
    assert.deepEqual(
      late.map((l) => [l.what, l.accepted, l.code]),
      [
        ['heartbeat', false, 'LEASE_LOST'],
        ['complete', false, 'LEASE_LOST'],
      ],
    );
    assert.equal(frozen.lines.filter((l) => l.event === 'completed').length, 0, 'the frozen worker completed the job');
    assert.deepEqual(await ctx.leases.get(id), done, "the late worker changed the other worker's result");
    for (const w of [frozen, other]) {
      w.child.kill('SIGTERM');
      assert.equal((await w.exited).code, 0, w.stderr());
    }
  });

  it('a job that crashes its worker every time is quarantined after maxCrashes (2) resubmits, and is not handed out again', async () => {
    const id = await ctx.leases.submit('poison', { n: 3 });
    const fast = { LEASE_TTL_MS: 800, LEASE_HEARTBEAT_MS: 200, LEASE_SWEEP_MS: 200, LEASE_KIND: 'poison' };
    for (let crash = 1; crash <= 3; crash++) {
      const w = startWorker(ctx.db.url, { ...fast, LEASE_MODE: 'crash' });
      assert.deepEqual(await w.exited, { code: null, signal: 'SIGKILL' }, w.stderr());
      const ran = w.lines.filter(line('ran', id));
      assert.deepEqual(
        ran.map((l) => [l.epoch, l.attempt]),
        [[crash, crash]],
      );
    }
    const survivor = startWorker(ctx.db.url, { ...fast, LEASE_MODE: 'complete' });
    const job = await until(async () => {
      const j = await ctx.leases.get(id);
      return j.state === 'quarantined' ? j : undefined;
    }, 'the quarantine');
    assert.deepEqual([job.crashes, job.attempts, job.epoch], [3, 3, 3]);
    assert.match(job.error ?? '', /stopped 3 times without finishing \(limit 2 resubmits\)/);
    const swept = await survivor.waitFor((l) => l.event === 'swept' && JSON.stringify(l.report).includes(id));
    assert.match(JSON.stringify(swept.report), /"status":"quarantined"/);
    survivor.child.kill('SIGTERM');
    assert.equal((await survivor.exited).code, 0);
    assert.equal(survivor.lines.filter(line('ran', id)).length, 0, 'the quarantined job ran again');
    assert.equal(await ctx.leases.claim('poison', 'anyone'), null);
  });

  it('drain whose grace runs out releases the running job as interrupted at once: no attempt consumed, due after the interrupt delay', async () => {
    const id = await ctx.leases.submit('drain', { n: 4 });
    const w = startWorker(ctx.db.url, {
      ...timing,
      LEASE_KIND: 'drain',
      LEASE_MODE: 'hang',
      LEASE_GRACE_MS: 200,
      LEASE_INTERRUPT_DELAY_MS: 5000,
    });
    await w.waitFor((l) => l.event === 'ready');
    await w.waitFor(line('ran', id));
    w.child.kill('SIGTERM');
    const signalled = Date.now();
    assert.equal((await w.exited).code, 0, w.stderr());
    // Released by the drain, not left for the lease to expire and the sweeper to count a crash.
    assert.ok(Date.now() - signalled < TTL, `the drain took ${Date.now() - signalled} ms`);
    assert.equal((await w.waitFor(line('aborted', id))).reason, 'AbortError');
    assert.ok(w.lines.some(line('released', id)), JSON.stringify(w.lines));
    const job = await ctx.leases.get(id);
    assert.deepEqual(
      [job.state, job.attempts, job.crashes, job.interruptions, job.owner, job.leaseUntil],
      ['queued', 0, 0, 1, null, null],
    );
    const delay = Date.parse(job.runAfter) - Date.parse(job.updatedAt);
    assert.ok(Math.abs(delay - 5000) <= 1, `due ${delay} ms after the release, expected the 5000 ms interrupt delay`);
    assert.equal(await ctx.leases.claim('drain', 'too-early'), null);
  });

  it('drain lets a job that finishes within the grace period complete', async () => {
    const id = await ctx.leases.submit('drain-ok', { n: 5 });
    const w = startWorker(ctx.db.url, {
      ...timing,
      LEASE_KIND: 'drain-ok',
      LEASE_MODE: 'complete',
      LEASE_WORK_MS: 400,
      LEASE_GRACE_MS: 5000,
    });
    await w.waitFor(line('ran', id));
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0, w.stderr());
    const events = w.lines.map((l) => l.event);
    assert.ok(
      events.indexOf('draining') < events.indexOf('completed') &&
        events.indexOf('completed') < events.indexOf('drained'),
      events.join(' '),
    );
    const job = await ctx.leases.get(id);
    assert.deepEqual([job.state, job.attempts, job.interruptions], ['done', 1, 0]);
  });
});

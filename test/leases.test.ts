import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { MoltError } from '../src/errors.js';
import { createDriver } from '../src/drivers/index.js';
import { openLeases, type WorkerEvent } from '../src/leases/index.js';
import { mysqlAdmin, pgAdmin, type TestDatabase } from './helpers/databases.js';
import { describeLeases } from './helpers/lease-harness.js';

const rejectsWith =
  (code: string) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof MoltError, `expected a MoltError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };

/** The server's ids for the connections to a test database (PostgreSQL and MySQL). */
async function connectionIds(db: TestDatabase): Promise<string[]> {
  const name = new URL(db.url).pathname.slice(1);
  const rows =
    db.kind === 'postgres'
      ? await pgAdmin<{ id: unknown }>('SELECT pid AS id FROM pg_stat_activity WHERE datname = $1', [name])
      : await mysqlAdmin<{ id: unknown }>('SELECT id FROM information_schema.processlist WHERE db = ?', [name]);
  return rows.map((r) => String(r.id));
}

/** Two reads of the database clock in one statement may fall a millisecond apart. */
const assertAbout = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) <= 1, `${actual} ms, expected ${expected}`);

describeLeases('leases on', (ctx) => {
  it('refuses to open on a history whose migrations never ran, and says to migrate', async () => {
    await assert.rejects(openLeases({ db: ctx.db.url, table: 'other_history' }), (error: unknown) => {
      rejectsWith('JOBS_TABLE_MISSING')(error);
      assert.match((error as MoltError).message, /other_history_jobs does not exist/);
      assert.match((error as MoltError).hint ?? '', /Run migrate first/);
      return true;
    });
  });

  it('a claim fences the job: a completion, heartbeat, failure or release with a finished epoch is rejected and changes nothing', async () => {
    const id = await ctx.leases.submit('fence', { n: 1 });
    const queued = await ctx.leases.get(id);
    assert.deepEqual([queued.state, queued.epoch, queued.attempts, queued.payload], ['queued', 0, 0, { n: 1 }]);
    const claim = await ctx.leases.claim('fence', 'w1');
    assert.ok(claim);
    assert.deepEqual([claim.id, claim.epoch, claim.attempt, claim.payload], [id, 1, 1, { n: 1 }]);
    assert.equal(await ctx.leases.claim('fence', 'w2'), null, 'a running job was handed out twice');
    const { leaseUntil } = await ctx.leases.heartbeat(id, 1);
    assert.ok(Date.parse(leaseUntil) > Date.parse((await ctx.leases.get(id)).createdAt));
    await ctx.leases.complete(id, 1, { ok: true });
    const done = await ctx.leases.get(id);
    assert.deepEqual(
      [done.state, done.result, done.attempts, done.owner, done.leaseUntil],
      ['done', { ok: true }, 1, 'w1', null],
    );
    await assert.rejects(ctx.leases.complete(id, 1, { ok: 'twice' }), rejectsWith('LEASE_LOST'));
    await assert.rejects(ctx.leases.heartbeat(id, 1), rejectsWith('LEASE_LOST'));
    await assert.rejects(ctx.leases.fail(id, 1, new Error('late')), rejectsWith('LEASE_LOST'));
    await assert.rejects(ctx.leases.release(id, 1), rejectsWith('LEASE_LOST'));
    await assert.rejects(ctx.leases.complete(id, 0), rejectsWith('LEASE_LOST'));
    assert.deepEqual(await ctx.leases.get(id), done, 'a rejected call changed the job');
    await assert.rejects(ctx.leases.heartbeat('no-such-job', 1), rejectsWith('JOB_NOT_FOUND'));
    await assert.rejects(ctx.leases.get('no-such-job'), rejectsWith('JOB_NOT_FOUND'));
  });

  it('submit with a key returns the first job instead of queueing another, also when submitters race', async () => {
    const first = await ctx.leases.submit('keyed', { v: 1 }, { key: 'order-7' });
    assert.equal(await ctx.leases.submit('keyed', { v: 2 }, { key: 'order-7' }), first);
    assert.deepEqual((await ctx.leases.get(first)).payload, { v: 1 });
    const raced = await Promise.all([1, 2, 3, 4].map((v) => ctx.leases.submit('keyed', { v }, { key: 'order-8' })));
    assert.equal(new Set(raced).size, 1, `one key made several jobs: ${raced}`);
    assert.notEqual(await ctx.leases.submit('other-kind', null, { key: 'order-7' }), first, 'keys are per kind');
    assert.equal((await ctx.leases.list({ kind: 'keyed' })).length, 2);
  });

  it('fail ends a job, or queues it again after retryDelayMs, each consuming an attempt', async () => {
    const a = await ctx.leases.submit('failing', 'a');
    const ca = await ctx.leases.claim('failing', 'w');
    await ctx.leases.fail(a, ca!.epoch, new Error('disk full'));
    const failed = await ctx.leases.get(a);
    assert.deepEqual([failed.state, failed.error, failed.attempts], ['failed', 'disk full', 1]);
    const b = await ctx.leases.submit('failing', 'b');
    const cb = await ctx.leases.claim('failing', 'w');
    await ctx.leases.fail(b, cb!.epoch, 'timeout', { retryDelayMs: 0 });
    const again = await ctx.leases.claim('failing', 'w');
    assert.deepEqual([again?.id, again?.epoch, again?.attempt], [b, 2, 2]);
  });

  it('delayMs and release hold a job back on the database clock; a release consumes no attempt', async () => {
    const id = await ctx.leases.submit('later', null, { delayMs: 400 });
    const job = await ctx.leases.get(id);
    assertAbout(Date.parse(job.runAfter) - Date.parse(job.createdAt), 400);
    assert.equal(await ctx.leases.claim('later', 'w'), null, 'a job was claimed before it was due');
    await sleep(450);
    const claim = await ctx.leases.claim('later', 'w');
    assert.equal(claim?.id, id);
    await ctx.leases.release(id, claim!.epoch, { delayMs: 300 });
    const released = await ctx.leases.get(id);
    assert.deepEqual(
      [released.state, released.attempts, released.interruptions, released.owner],
      ['queued', 0, 1, null],
    );
    assertAbout(Date.parse(released.runAfter) - Date.parse(released.updatedAt), 300);
    assert.equal(await ctx.leases.claim('later', 'w'), null);
  });

  it('sweep requeues expired leases, counting crash and attempt, quarantines past maxCrashes, and leaves live leases alone', async () => {
    const other = await openLeases({ db: ctx.db.url });
    try {
      const id = await ctx.leases.submit('sweep', null);
      const live = await ctx.leases.submit('sweep-live', null);
      await ctx.leases.claim('sweep-live', 'healthy', { ttlMs: 60_000 });
      for (let crash = 1; crash <= 3; crash++) {
        const claim = await ctx.leases.claim('sweep', `dies-${crash}`, { ttlMs: 100 });
        assert.deepEqual([claim?.id, claim?.epoch, claim?.attempt, claim?.crashes], [id, crash, crash, crash - 1]);
        assert.equal((await ctx.leases.sweep()).items.length, 0, 'a live lease was swept');
        await sleep(150);
        // Two sweepers at once: the job moves once, and the loser says why it skipped.
        const reports = await Promise.all([ctx.leases.sweep(), other.sweep()]);
        const items = reports.flatMap((r) => r.items);
        const moved = items.filter((i) => i.status !== 'skipped');
        assert.equal(moved.length, 1, JSON.stringify(items));
        assert.equal(moved[0].status, crash <= 2 ? 'requeued' : 'quarantined');
        assert.deepEqual(
          [moved[0].id, moved[0].owner, moved[0].epoch, moved[0].crashes],
          [id, `dies-${crash}`, crash, crash],
        );
        for (const skipped of items.filter((i) => i.status === 'skipped'))
          assert.match(skipped.reason, /another sweeper/);
      }
      const job = await ctx.leases.get(id);
      assert.deepEqual([job.state, job.crashes, job.attempts], ['quarantined', 3, 3]);
      assert.match(job.error ?? '', /stopped 3 times without finishing/);
      assert.equal(await ctx.leases.claim('sweep', 'w'), null, 'a quarantined job was handed out');
      await assert.rejects(ctx.leases.complete(id, 3), rejectsWith('LEASE_LOST'));
      assert.equal((await ctx.leases.get(live)).state, 'running');
      assert.deepEqual(await ctx.leases.stats('sweep'), { queued: 0, running: 0, done: 0, failed: 0, quarantined: 1 });
    } finally {
      await other.close();
    }
  });

  it('works on a session the service lent, and leaves it open on close', async () => {
    const driver = await createDriver(ctx.db.url);
    const session = await driver.connect();
    try {
      const lent = await openLeases({ connection: { driver, session } });
      const id = await lent.submit('lent', { via: 'lent session' });
      assert.deepEqual((await ctx.leases.get(id)).payload, { via: 'lent session' });
      await lent.close();
      assert.deepEqual(
        (await session.query('SELECT 1 AS one')).map((r) => Number(r.one)),
        [1],
      );
    } finally {
      await session.close();
    }
  });

  it(
    'reopens its own connection after the server dropped it',
    { skip: ctx.kind === 'sqlite' && 'an SQLite file has no connection to drop' },
    async () => {
      const before = new Set(await connectionIds(ctx.db));
      const own = await openLeases({ db: ctx.db.url });
      try {
        const mine = (await connectionIds(ctx.db)).filter((id) => !before.has(id));
        assert.equal(mine.length, 1);
        if (ctx.kind === 'postgres') await pgAdmin('SELECT pg_terminate_backend($1)', [Number(mine[0])]);
        else await mysqlAdmin(`KILL ${Number(mine[0])}`);
        await assert.rejects(own.stats(), 'the call on the dropped connection');
        assert.equal(typeof (await own.stats()).queued, 'number');
      } finally {
        await own.close();
      }
    },
  );

  it('a worker completes jobs, retries a throwing handler while attempts remain, and drain waits for running jobs', async () => {
    const events: WorkerEvent[] = [];
    const ok = await ctx.leases.submit('pool', { n: 1 });
    const flaky = await ctx.leases.submit('pool', { n: 2, fail: 1 });
    const seen = new Map<string, number>();
    const worker = ctx.leases.work<{ n: number; fail?: number }>(
      'pool',
      async (job) => {
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        if (job.payload.fail && job.attempt <= job.payload.fail) throw new Error(`attempt ${job.attempt} broke`);
        await sleep(100);
        return job.payload.n * 10;
      },
      {
        concurrency: 2,
        pollMs: 20,
        heartbeatMs: 30,
        ttlMs: 1000,
        maxAttempts: 2,
        retryDelayMs: 0,
        sweepMs: 0,
        onEvent: (e) => events.push(e),
      },
    );
    while ((await ctx.leases.stats('pool')).done < 2) await sleep(20);
    const slow = await ctx.leases.submit('pool', { n: 3 });
    while (!events.some((e) => e.type === 'claimed' && e.job.id === slow)) await sleep(10);
    await worker.drain();
    assert.equal(worker.running, 0);
    const jobs = await Promise.all([ok, flaky, slow].map((id) => ctx.leases.get(id)));
    assert.deepEqual(
      jobs.map((j) => [j.state, j.result, j.attempts]),
      [
        ['done', 10, 1],
        ['done', 20, 2],
        ['done', 30, 1],
      ],
    );
    assert.deepEqual(
      [ok, flaky, slow].map((id) => seen.get(id)),
      [1, 2, 1],
      'a handler ran more often than its attempts',
    );
    assert.ok(events.some((e) => e.type === 'failed' && e.id === flaky && e.retry && /attempt 1 broke/.test(e.error)));
    assert.deepEqual(
      events.filter((e) => e.type === 'error' || e.type === 'lost'),
      [],
    );
  });
});

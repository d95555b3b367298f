import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeLeases, startWorker, until } from './helpers/lease-harness.js';

const JOBS = 200;
const PROCESSES = 4;

describeLeases('claims racing on', (ctx) => {
  it(`${PROCESSES} processes claiming ${JOBS} jobs that fall due at once: every job runs and completes exactly once`, async () => {
    const workers = Array.from({ length: PROCESSES }, () =>
      startWorker(ctx.db.url, {
        LEASE_KIND: 'race',
        LEASE_MODE: 'complete',
        LEASE_WORK_MS: 5,
        LEASE_CONCURRENCY: 4,
        LEASE_POLL_MS: 20,
        LEASE_TTL_MS: 20_000,
        LEASE_HEARTBEAT_MS: 5_000,
        LEASE_SWEEP_MS: 1_000,
      }),
    );
    const owners = await Promise.all(
      workers.map(async (w) => String((await w.waitFor((l) => l.event === 'ready')).owner)),
    );
    // Every job due at the same instant, so all workers start claiming the same rows together.
    const dueAt = Date.now() + 1000;
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++)
      ids.push(await ctx.leases.submit('race', { i }, { delayMs: Math.max(0, dueAt - Date.now()) }));
    await until(
      async () => ((await ctx.leases.stats('race')).done === JOBS ? true : undefined),
      `${JOBS} jobs done`,
      30_000,
    );
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) assert.equal((await w.exited).code, 0, w.stderr());

    const ran = new Map<string, string[]>();
    workers.forEach((w, n) => {
      for (const l of w.lines.filter((l) => l.event === 'ran'))
        ran.set(String(l.id), [...(ran.get(String(l.id)) ?? []), `${owners[n]}@${l.epoch}`]);
    });
    const twice = [...ran].filter(([, runs]) => runs.length > 1);
    assert.deepEqual(twice, [], 'jobs ran more than once');
    assert.deepEqual([...ran.keys()].sort(), [...ids].sort());
    const busy = workers.filter((w) => w.lines.some((l) => l.event === 'ran')).length;
    assert.ok(busy >= 2, `only ${busy} of ${PROCESSES} processes got work: the claims never raced`);

    const jobs = await ctx.leases.list({ kind: 'race', limit: JOBS + 1 });
    assert.equal(jobs.length, JOBS);
    for (const job of jobs) {
      assert.deepEqual([job.state, job.epoch, job.attempts, job.crashes], ['done', 1, 1, 0], job.id);
      assert.equal(
        `${(job.result as { by: string }).by}@1`,
        ran.get(job.id)?.[0],
        'the result is not from the process that ran the job',
      );
    }
    for (const w of workers)
      assert.deepEqual(
        w.lines.filter((l) => l.event === 'error' || l.event === 'lost'),
        [],
        w.stderr(),
      );
  });
});

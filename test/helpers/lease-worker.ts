// A worker process for the lease tests. Settings come from the environment; every event is one JSON
// line on stdout ({event, t, ...}). On SIGTERM it drains, aborting the drain after LEASE_GRACE_MS.
import { setTimeout as sleep } from 'node:timers/promises';
import { openLeases } from '../../src/leases/index.js';
import type { Claim, WorkerEvent } from '../../src/leases/index.js';
import { MoltError } from '../../src/errors.js';

const env = process.env;
const num = (name: string, fallback: number): number => (env[name] ? Number(env[name]) : fallback);
const print = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, t: Date.now(), pid: process.pid, ...fields })}\n`);
};

const mode = env.LEASE_MODE ?? 'complete';
const leases = await openLeases({
  db: env.LEASE_DB,
  ttlMs: num('LEASE_TTL_MS', 1500),
  maxCrashes: num('LEASE_MAX_CRASHES', 2),
  interruptDelayMs: num('LEASE_INTERRUPT_DELAY_MS', 30_000),
});

/** After losing a lease, a late completion as a naive worker would send it; the database must refuse it. */
async function tryLate(id: string, epoch: number): Promise<void> {
  for (const [what, call] of [
    ['heartbeat', () => leases.heartbeat(id, epoch)],
    ['complete', () => leases.complete(id, epoch, { by: 'late' })],
  ] as const) {
    try {
      await call();
      print('late', { what, id, epoch, accepted: true });
    } catch (error) {
      print('late', {
        what,
        id,
        epoch,
        accepted: false,
        code: error instanceof MoltError ? error.code : String(error),
      });
    }
  }
}

const worker = leases.work(
  env.LEASE_KIND ?? 'test',
  async (job: Claim, { signal, owner }) => {
    print('ran', { id: job.id, epoch: job.epoch, attempt: job.attempt });
    if (mode === 'crash') process.kill(process.pid, 'SIGKILL');
    // `hang` works until its signal aborts; `complete` works LEASE_WORK_MS, also stopping when aborted.
    const workMs = mode === 'hang' ? 600_000 : num('LEASE_WORK_MS', 0);
    try {
      if (workMs > 0) await sleep(workMs, undefined, { signal });
    } catch (error) {
      const reason: unknown = signal.reason;
      print('aborted', {
        id: job.id,
        epoch: job.epoch,
        reason: reason instanceof MoltError ? reason.code : (reason as Error | undefined)?.name,
      });
      throw error;
    }
    return { by: owner, attempt: job.attempt };
  },
  {
    concurrency: num('LEASE_CONCURRENCY', 1),
    heartbeatMs: num('LEASE_HEARTBEAT_MS', 300),
    sweepMs: num('LEASE_SWEEP_MS', 500),
    pollMs: num('LEASE_POLL_MS', 100),
    onEvent: (e: WorkerEvent) => {
      const { type, ...rest } = e;
      print(type, 'job' in rest ? { id: rest.job.id, epoch: rest.job.epoch } : rest);
      if (type === 'lost' && env.LEASE_LATE === '1') void tryLate(e.id, e.epoch);
    },
  },
);
print('ready', { owner: worker.owner });

process.once('SIGTERM', () => {
  print('draining');
  void worker.drain(AbortSignal.timeout(num('LEASE_GRACE_MS', 200))).then(async () => {
    print('drained');
    await leases.close();
    process.exit(0);
  });
});

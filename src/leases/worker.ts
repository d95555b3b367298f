import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MoltError, messageOf } from '../errors.js';
import type { Claim, LeaseStore, SweepReport } from './types.js';

/** What a handler gets besides its job: the signal aborts when the lease is lost or a drain runs out of time. */
export interface JobContext {
  signal: AbortSignal;
  /** The worker's owner id, as the jobs table records it. */
  owner: string;
}

/** Runs one job; its resolved value is the job's result (JSON). A throw fails the job. */
export type JobHandler<P = unknown, R = unknown> = (job: Claim<P>, context: JobContext) => Promise<R> | R;

/** What a worker did, for logs and tests; the default reporter writes errors, losses and sweeps to stderr. */
export type WorkerEvent =
  | { type: 'claimed'; job: Claim }
  | { type: 'completed'; id: string; epoch: number }
  | { type: 'failed'; id: string; epoch: number; error: string; retry: boolean }
  | { type: 'lost'; id: string; epoch: number; reason: 'rejected' | 'self-fenced'; error?: string }
  | { type: 'released'; id: string; epoch: number }
  | { type: 'swept'; report: SweepReport }
  | {
      type: 'error';
      during: 'claim' | 'heartbeat' | 'complete' | 'fail' | 'release' | 'sweep';
      id?: string;
      error: string;
    };

/** How a worker pool runs; the defaults come from operations.md §4B. */
export interface WorkOptions {
  /** Jobs run at once. Default 1. */
  concurrency?: number;
  /** Lease length per claim and heartbeat, in ms. Default the leases' `ttlMs` (45 s). */
  ttlMs?: number;
  /** Heartbeat period, in ms; must be shorter than `ttlMs`. Default 10 s, or a third of a shorter TTL. */
  heartbeatMs?: number;
  /** Sweeper period, in ms; 0 leaves sweeping to other workers. Default 15 s. */
  sweepMs?: number;
  /** Wait between claims when nothing is due, in ms. Default 1 s. */
  pollMs?: number;
  /** The owner id written on claims. Default `host:pid:random`. */
  owner?: string;
  /** Attempts a job gets when its handler throws; the last failure is final. Default 1. */
  maxAttempts?: number;
  /** Delay before a failed job with attempts left is due again, in ms. Default 30 s. */
  retryDelayMs?: number;
  /** Receives every event instead of the stderr reporter. */
  onEvent?: (event: WorkerEvent) => void;
}

type Stage = 'running' | 'finishing' | 'released' | 'lost' | 'done';

/** A job this worker runs, from claim until the handler has settled. */
interface Active {
  claim: Claim;
  controller: AbortController;
  stage: Stage;
  stopLease(): void;
  /** Settles once the worker owes the job nothing more: finished, released or lost. */
  finished: Promise<void>;
  finish(): void;
}

const DEFAULTS = {
  concurrency: 1,
  heartbeatMs: 10_000,
  sweepMs: 15_000,
  pollMs: 1_000,
  maxAttempts: 1,
  retryDelayMs: 30_000,
};

/** Writes what needs a person's attention to stderr: errors, lost leases, failures and sweeps that moved jobs. */
export function stderrReporter(event: WorkerEvent): void {
  const line = (text: string): boolean => process.stderr.write(`molt: leases: ${text}\n`);
  if (event.type === 'error') line(`${event.during}${event.id ? ` of job ${event.id}` : ''} failed: ${event.error}`);
  if (event.type === 'lost')
    line(
      `job ${event.id} epoch ${event.epoch}: lease lost (${event.reason}); the handler was aborted and its result is dropped`,
    );
  if (event.type === 'failed') line(`job ${event.id} failed${event.retry ? ' (will retry)' : ''}: ${event.error}`);
  if (event.type === 'swept')
    for (const item of event.report.items) line(`sweep: job ${item.id} ${item.status}: ${item.reason}`);
}

const isLost = (error: unknown): boolean =>
  error instanceof MoltError && (error.code === 'LEASE_LOST' || error.code === 'JOB_NOT_FOUND');

function wholeAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new MoltError('CONFIG_INVALID', `${name} must be a whole number of at least ${min}, not ${value}`);
  return value;
}

/**
 * A pool that claims jobs of one kind, runs them, heartbeats while they run and sweeps expired
 * leases. It aborts a job's signal and drops its result when the lease is lost: rejected by the
 * database, or not renewed for a whole TTL (self-fencing, so a cut-off worker never finishes late).
 */
export class Worker<P = unknown, R = unknown> {
  /** Name for a lifecycle's `register()`. */
  readonly name: string;
  readonly kind: string;
  readonly owner: string;
  readonly #leases: LeaseStore;
  readonly #handler: JobHandler<P, R>;
  readonly #o: Required<Omit<WorkOptions, 'owner' | 'onEvent'>>;
  readonly #onEvent: (event: WorkerEvent) => void;
  readonly #active = new Set<Active>();
  readonly #pump: Promise<void>;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #draining: Promise<void> | null = null;

  /** Use `leases.work()`. */
  constructor(leases: LeaseStore, kind: string, handler: JobHandler<P, R>, options: WorkOptions & { ttlMs: number }) {
    const defaults = { ...DEFAULTS, heartbeatMs: Math.min(DEFAULTS.heartbeatMs, Math.floor(options.ttlMs / 3)) };
    const o = {
      ...defaults,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<WorkOptions>;
    wholeAtLeast('concurrency', o.concurrency, 1);
    wholeAtLeast('maxAttempts', o.maxAttempts, 1);
    if (!(o.heartbeatMs > 0 && o.heartbeatMs < o.ttlMs)) {
      throw new MoltError(
        'CONFIG_INVALID',
        `heartbeatMs (${o.heartbeatMs}) must be positive and shorter than ttlMs (${o.ttlMs})`,
        { hint: 'Heartbeat at most a third of the TTL, so one late heartbeat does not lose the lease' },
      );
    }
    if (!(o.pollMs > 0) || !(o.sweepMs >= 0) || !(o.retryDelayMs >= 0)) {
      throw new MoltError('CONFIG_INVALID', 'pollMs must be positive, sweepMs and retryDelayMs zero or more');
    }
    this.#o = o;
    this.#leases = leases;
    this.#handler = handler;
    this.kind = kind;
    this.name = `leases:${kind}`;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#onEvent = options.onEvent ?? stderrReporter;
    this.#pump = this.#loop();
    if (o.sweepMs > 0) {
      this.#sweep();
      this.#sweeper = setInterval(() => this.#sweep(), o.sweepMs);
    }
  }

  /** Jobs whose handler has not settled yet. */
  get running(): number {
    return this.#active.size;
  }

  #emit(event: WorkerEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // A failing observer must not stop the work it observes.
    }
  }

  #wakeUp(): void {
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      if (this.#active.size < this.#o.concurrency) {
        const sentAt = performance.now();
        let claim: Claim<P> | null = null;
        try {
          claim = await this.#leases.claim<P>(this.kind, this.owner, { ttlMs: this.#o.ttlMs });
        } catch (error) {
          this.#emit({ type: 'error', during: 'claim', error: messageOf(error) });
        }
        if (claim) {
          this.#start(claim, sentAt);
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  #sweep(): void {
    if (this.#sweeping) return;
    this.#sweeping = (async () => {
      try {
        const report = await this.#leases.sweep();
        if (report.items.length > 0) this.#emit({ type: 'swept', report });
        if (report.requeued > 0) this.#wakeUp();
      } catch (error) {
        this.#emit({ type: 'error', during: 'sweep', error: messageOf(error) });
      }
    })().finally(() => (this.#sweeping = null));
  }

  #start(claim: Claim<P>, sentAt: number): void {
    let finish!: () => void;
    const entry: Active = {
      claim,
      controller: new AbortController(),
      stage: 'running',
      stopLease: () => undefined,
      finished: new Promise<void>((resolve) => (finish = resolve)),
      finish: () => finish(),
    };
    this.#active.add(entry);
    this.#emit({ type: 'claimed', job: claim });
    entry.stopLease = this.#keepLease(entry, sentAt);
    void (async () => {
      let outcome: { ok: true; value: R } | { ok: false; error: unknown };
      try {
        outcome = {
          ok: true,
          value: await this.#handler(claim, { signal: entry.controller.signal, owner: this.owner }),
        };
      } catch (error) {
        outcome = { ok: false, error };
      }
      entry.stopLease();
      // A lost or released job was settled by whoever lost or released it; its outcome is dropped.
      if (entry.stage === 'running') {
        entry.stage = 'finishing';
        await this.#finish(claim, outcome);
        entry.stage = 'done';
        entry.finish();
      }
      this.#active.delete(entry);
      this.#wakeUp();
    })();
  }

  /** Heartbeats until stopped; aborts the job when the database rejects a heartbeat or none succeeded for a TTL. */
  #keepLease(entry: Active, sentAt: number): () => void {
    const { id, epoch } = entry.claim;
    const ttl = this.#o.ttlMs;
    let inFlight = false;
    // Measured from when the last accepted heartbeat was sent: the database set its lease later, so this fires first.
    const arm = (since: number): NodeJS.Timeout =>
      setTimeout(() => lose('self-fenced'), Math.max(0, ttl - (performance.now() - since)));
    let fence = arm(sentAt);
    const beat = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      const sent = performance.now();
      this.#leases
        .heartbeat(id, epoch, { ttlMs: ttl })
        .then(
          () => {
            if (entry.stage !== 'running') return;
            clearTimeout(fence);
            fence = arm(sent);
          },
          (error: unknown) => {
            if (isLost(error)) lose('rejected', messageOf(error));
            else this.#emit({ type: 'error', during: 'heartbeat', id, error: messageOf(error) });
          },
        )
        .finally(() => (inFlight = false));
    }, this.#o.heartbeatMs);
    const stop = (): void => {
      clearInterval(beat);
      clearTimeout(fence);
    };
    const lose = (reason: 'rejected' | 'self-fenced', error?: string): void => {
      if (entry.stage !== 'running') return;
      entry.stage = 'lost';
      stop();
      entry.controller.abort(
        new MoltError('LEASE_LOST', `Job ${id}: the lease of epoch ${epoch} was lost (${reason})`),
      );
      this.#emit({ type: 'lost', id, epoch, reason, ...(error ? { error } : {}) });
      entry.finish();
    };
    return stop;
  }

  async #finish(claim: Claim<P>, outcome: { ok: true; value: R } | { ok: false; error: unknown }): Promise<void> {
    const { id, epoch } = claim;
    const during = outcome.ok ? 'complete' : 'fail';
    try {
      if (outcome.ok) {
        await this.#leases.complete(id, epoch, outcome.value);
        this.#emit({ type: 'completed', id, epoch });
      } else {
        const retry = claim.attempt < this.#o.maxAttempts;
        await this.#leases.fail(id, epoch, outcome.error, retry ? { retryDelayMs: this.#o.retryDelayMs } : {});
        this.#emit({ type: 'failed', id, epoch, error: messageOf(outcome.error), retry });
      }
    } catch (error) {
      if (isLost(error)) this.#emit({ type: 'lost', id, epoch, reason: 'rejected', error: messageOf(error) });
      // The lease then expires and the sweeper requeues the job: counted as a crash, never lost.
      else this.#emit({ type: 'error', during, id, error: messageOf(error) });
    }
  }

  async #interrupt(entry: Active): Promise<void> {
    const { id, epoch } = entry.claim;
    entry.stage = 'released';
    entry.stopLease();
    entry.controller.abort(
      new DOMException('The worker is draining: the job is released as interrupted', 'AbortError'),
    );
    try {
      await this.#leases.release(id, epoch);
      this.#emit({ type: 'released', id, epoch });
    } catch (error) {
      if (isLost(error)) this.#emit({ type: 'lost', id, epoch, reason: 'rejected', error: messageOf(error) });
      else this.#emit({ type: 'error', during: 'release', id, error: messageOf(error) });
    }
    entry.finish();
  }

  /**
   * Stops claiming and waits for the running jobs. When `signal` aborts (the grace period is over),
   * unfinished jobs get their signal aborted and are released as interrupted, without waiting for
   * their handlers or their leases. Resolves once the worker owes no job anything.
   */
  drain(signal?: AbortSignal): Promise<void> {
    this.#draining ??= this.#drain(signal);
    return this.#draining;
  }

  async #drain(signal?: AbortSignal): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweeper);
    this.#wakeUp();
    const interrupt = (): void => {
      for (const entry of this.#active) if (entry.stage === 'running') void this.#interrupt(entry);
    };
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      await this.#pump;
      // A claim in flight when draining began has started by now; an abort that came first must reach it too.
      if (signal?.aborted) interrupt();
      await Promise.all([...this.#active].map((entry) => entry.finished));
      await this.#sweeping;
    } finally {
      signal?.removeEventListener('abort', interrupt);
    }
  }
}

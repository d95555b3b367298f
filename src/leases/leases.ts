import { randomUUID } from 'node:crypto';
import type { Driver, Row, Session } from '../drivers/types.js';
import { MoltError, messageOf } from '../errors.js';
import { validateTableName } from '../migrate/internal.js';
import { configureSession } from '../runtime/index.js';
import { JobsSql, toJob, type JobRow, type Statement } from './jobs-sql.js';
import {
  JOB_STATES,
  type Claim,
  type Job,
  type JobState,
  type LeasePolicy,
  type LeaseStore,
  type SweepItem,
  type SweepReport,
} from './types.js';
import { Worker, type JobHandler, type WorkOptions } from './worker.js';
import { checkKind, leaseLost, notFound } from './lease-errors.js';

/** The defaults of operations.md §4B. */
export const DEFAULT_LEASE_POLICY: Required<LeasePolicy> = { ttlMs: 45_000, maxCrashes: 2, interruptDelayMs: 30_000 };

/** How many candidates one claim round reads; losers of a race move on to the next without a new query. */
const CLAIM_CANDIDATES = 8;
const SWEEP_BATCH = 100;

/** A duration in whole milliseconds, as the bigint columns take it. */
const positive = (name: string, value: number, zero = false): number => {
  const ms = Math.round(value);
  if (!Number.isFinite(ms) || ms < 0 || (!zero && ms === 0)) {
    throw new MoltError(
      'CONFIG_INVALID',
      `${name} must be a ${zero ? 'non-negative' : 'positive'} number of milliseconds, not ${value}`,
    );
  }
  return ms;
};

/**
 * Background jobs with worker leases, in molt's jobs table. Every state change is a compare-and-set
 * on `(id, epoch)`: a worker whose lease was superseded can neither extend nor complete it.
 */
export class Leases implements LeaseStore {
  readonly #driver: Driver;
  readonly #jobs: JobsSql;
  readonly #policy: Required<LeasePolicy>;
  readonly #settings: Record<string, string>;
  /** Set when leases opened the session itself, and may reopen it after the connection dropped. */
  readonly #owned: boolean;
  #session: Session | null;
  #opening: Promise<Session> | null = null;
  #closed = false;

  /** Use `openLeases()`; it checks that the jobs table exists. */
  constructor(
    driver: Driver,
    session: Session | null,
    table: string,
    policy: LeasePolicy = {},
    settings: Record<string, string> = {},
  ) {
    this.#driver = driver;
    this.#session = session;
    this.#owned = session === null;
    this.#jobs = new JobsSql(driver.sql, validateTableName(table));
    this.#policy = { ...DEFAULT_LEASE_POLICY, ...policy };
    positive('ttlMs', this.#policy.ttlMs);
    positive('interruptDelayMs', this.#policy.interruptDelayMs, true);
    if (!Number.isInteger(this.#policy.maxCrashes) || this.#policy.maxCrashes < 0) {
      throw new MoltError(
        'CONFIG_INVALID',
        `maxCrashes must be a whole number of crash resubmits, not ${this.#policy.maxCrashes}`,
      );
    }
    this.#settings = settings;
  }

  /** The policy in force, defaults filled in. */
  get policy(): Readonly<Required<LeasePolicy>> {
    return this.#policy;
  }

  /** The jobs table's name. */
  get table(): string {
    return this.#jobs.table;
  }

  async #connect(): Promise<Session> {
    if (this.#closed)
      throw new MoltError('USAGE', 'These leases were closed', { hint: 'Open new ones with openLeases()' });
    if (this.#session) return this.#session;
    this.#opening ??= (async () => {
      const session = await this.#driver.connect();
      this.#session = await configureSession(session, this.#driver, this.#settings);
      return session;
    })().finally(() => (this.#opening = null));
    return this.#opening;
  }

  async #run(statement: Statement): Promise<Row[]> {
    const session = await this.#connect();
    try {
      return await session.query(statement.sql, statement.params);
    } catch (error) {
      // A dropped connection is reopened on the next call; a session the service lent is its to mend.
      if (
        this.#owned &&
        this.#session === session &&
        !(await session.query('SELECT 1').then(
          () => true,
          () => false,
        ))
      ) {
        this.#session = null;
        await session.close().catch(() => undefined);
      }
      throw error;
    }
  }

  /** Fails with JOBS_TABLE_MISSING unless molt's migrations created the jobs table. */
  async check(): Promise<void> {
    const probe = this.#driver.sql.tableExists(this.#jobs.table);
    const rows = await this.#run(probe);
    const present = rows[0]?.present;
    if (present === true || Number(present) > 0) return;
    throw new MoltError(
      'JOBS_TABLE_MISSING',
      `The jobs table ${this.#jobs.table} does not exist in ${this.#driver.displayUrl}`,
      {
        hint: 'Run migrate first (molt migrate, or migrate() at boot): molt creates it with its own tables. The history table name must match the one migrate uses',
        details: { table: this.#jobs.table },
      },
    );
  }

  async #read(id: string): Promise<JobRow | null> {
    const rows = await this.#run(this.#jobs.get(id));
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** The job, or JOB_NOT_FOUND. */
  async get<P = unknown>(id: string): Promise<Job<P>> {
    const row = await this.#read(id);
    if (!row) throw notFound(id);
    const { token: _token, ...job } = row;
    return job as Job<P>;
  }

  /**
   * Queues a job and returns its id. With `key`, submitting again returns the first job's id instead
   * of queueing another (for as long as that row exists). `delayMs` is measured on the database's clock.
   */
  async submit(
    kind: string,
    payload: unknown = null,
    options: { key?: string; delayMs?: number } = {},
  ): Promise<string> {
    checkKind(kind);
    const text = JSON.stringify(payload ?? null);
    const key = options.key ?? null;
    const delay = positive('delayMs', options.delayMs ?? 0, true);
    if (key !== null) {
      const existing = await this.#run(this.#jobs.byKey(kind, key));
      if (existing[0]) return String(existing[0].id);
    }
    const id = randomUUID();
    try {
      await this.#run(this.#jobs.insert(id, kind, text, key, delay));
    } catch (error) {
      // Two submitters of one key raced: the unique (kind, key) let one in; answer with its id.
      const winner = key === null ? [] : await this.#run(this.#jobs.byKey(kind, key));
      if (winner[0]) return String(winner[0].id);
      throw error;
    }
    return id;
  }

  /**
   * Takes the oldest due job of `kind` for `owner`, or null when none is due. The claim bumps the epoch
   * and writes a fresh token by compare-and-set; reading the token back tells which claimer won.
   */
  async claim<P = unknown>(kind: string, owner: string, options: { ttlMs?: number } = {}): Promise<Claim<P> | null> {
    checkKind(kind);
    const ttl = positive('ttlMs', options.ttlMs ?? this.#policy.ttlMs);
    for (;;) {
      const candidates = await this.#run(this.#jobs.due(kind, CLAIM_CANDIDATES));
      if (candidates.length === 0) return null;
      for (const c of candidates) {
        const token = randomUUID();
        await this.#run(this.#jobs.claim(String(c.id), Number(c.epoch), owner, token, ttl));
        const row = await this.#read(String(c.id));
        if (row?.token === token) {
          return {
            id: row.id,
            kind: row.kind,
            epoch: row.epoch,
            payload: row.payload as P,
            attempt: row.attempts + 1,
            crashes: row.crashes,
            owner,
            leaseUntil: row.leaseUntil ?? '',
          };
        }
      }
      // Every candidate went to another claimer; read again, since later jobs may be due.
    }
  }

  /** Extends the lease of `(id, epoch)`; LEASE_LOST when that epoch no longer holds the job. */
  async heartbeat(id: string, epoch: number, options: { ttlMs?: number } = {}): Promise<{ leaseUntil: string }> {
    const ttl = positive('ttlMs', options.ttlMs ?? this.#policy.ttlMs);
    await this.#run(this.#jobs.heartbeat(id, epoch, ttl));
    // The epoch only grows and `running` at an epoch is only ever entered by its claim, so seeing both means this update held.
    const row = await this.#read(id);
    if (!row) throw notFound(id);
    if (row.epoch !== epoch || row.state !== 'running') throw leaseLost(row, epoch, 'heartbeat');
    return { leaseUntil: row.leaseUntil ?? '' };
  }

  /** Marks the job done with `result` (JSON); rejected with LEASE_LOST, changing nothing, when the epoch was superseded. */
  async complete(id: string, epoch: number, result: unknown = null): Promise<void> {
    await this.#transition(id, epoch, 'complete', (token) =>
      this.#jobs.finish(id, epoch, token, {
        state: 'done',
        result: JSON.stringify(result ?? null),
        error: null,
        delayMs: 0,
      }),
    );
  }

  /** Records a failure: `failed` for good, or queued again after `retryDelayMs`; fenced like `complete`. */
  async fail(id: string, epoch: number, error: unknown, options: { retryDelayMs?: number } = {}): Promise<void> {
    const retry = options.retryDelayMs;
    const end =
      retry === undefined
        ? { state: 'failed' as const, delayMs: 0 }
        : { state: 'queued' as const, delayMs: positive('retryDelayMs', retry, true) };
    await this.#transition(id, epoch, 'fail', (token) =>
      this.#jobs.finish(id, epoch, token, { ...end, result: null, error: messageOf(error) }),
    );
  }

  /**
   * Releases an unfinished job as interrupted (a draining worker): queued again after `delayMs`
   * (default `interruptDelayMs`) without consuming an attempt; fenced like `complete`.
   */
  async release(id: string, epoch: number, options: { delayMs?: number } = {}): Promise<void> {
    const delay = positive('delayMs', options.delayMs ?? this.#policy.interruptDelayMs, true);
    await this.#transition(id, epoch, 'release', (token) => this.#jobs.release(id, epoch, token, delay));
  }

  async #transition(id: string, epoch: number, action: string, statement: (token: string) => Statement): Promise<void> {
    const token = randomUUID();
    await this.#run(statement(token));
    const row = await this.#read(id);
    if (!row) throw notFound(id);
    if (row.token !== token) throw leaseLost(row, epoch, action);
  }

  /**
   * Requeues the jobs whose lease expired, counting a crash and an attempt; a job past `maxCrashes`
   * crash resubmits is quarantined instead. Safe to run from every worker at once: each move is a
   * compare-and-set, and a job another sweeper (or a late heartbeat) got first is reported as skipped.
   */
  async sweep(): Promise<SweepReport> {
    const items: SweepItem[] = [];
    for (;;) {
      const expired = await this.#run(this.#jobs.expired(SWEEP_BATCH));
      for (const r of expired) items.push(await this.#reap(r));
      if (expired.length < SWEEP_BATCH) break;
    }
    const count = (status: SweepItem['status']): number => items.filter((i) => i.status === status).length;
    return { items, requeued: count('requeued'), quarantined: count('quarantined'), skipped: count('skipped') };
  }

  async #reap(r: Row): Promise<SweepItem> {
    const id = String(r.id);
    const epoch = Number(r.epoch);
    const owner = r.owner == null ? null : String(r.owner);
    const crashes = Number(r.crashes) + 1;
    const expiredAt = new Date(Number(r.lease_until)).toISOString();
    const quarantine = crashes > this.#policy.maxCrashes;
    const reason = quarantine
      ? `quarantined: its worker stopped ${crashes} times without finishing (limit ${this.#policy.maxCrashes} resubmits); last ${owner ?? 'unknown'}, lease expired at ${expiredAt}`
      : `worker ${owner ?? 'unknown'} stopped without finishing: lease of epoch ${epoch} expired at ${expiredAt}`;
    const token = randomUUID();
    await this.#run(this.#jobs.reap(id, epoch, token, quarantine ? 'quarantined' : 'queued', reason));
    const row = await this.#read(id);
    const base = { id, kind: String(r.kind), owner, epoch };
    if (row?.token === token) return { ...base, status: quarantine ? 'quarantined' : 'requeued', crashes, reason };
    const why = !row
      ? 'the job was deleted'
      : row.epoch === epoch && row.state === 'running'
        ? 'a heartbeat renewed the lease first'
        : `another sweeper or worker moved it first (now ${row.state} at epoch ${row.epoch})`;
    return { ...base, status: 'skipped', crashes: row?.crashes ?? crashes - 1, reason: why };
  }

  /** Jobs, oldest first, optionally of one kind or state (at most `limit`, default 100). */
  async list<P = unknown>(filter: { kind?: string; state?: JobState; limit?: number } = {}): Promise<Job<P>[]> {
    const rows = await this.#run(this.#jobs.list({ ...filter, limit: filter.limit ?? 100 }));
    return rows.map((r) => {
      const { token: _token, ...job } = toJob(r);
      return job as Job<P>;
    });
  }

  /** How many jobs are in each state, every state listed. */
  async stats(kind?: string): Promise<Record<JobState, number>> {
    const out = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of await this.#run(this.#jobs.counts(kind))) out[String(r.state) as JobState] = Number(r.n);
    return out;
  }

  /** Starts a worker pool on `kind`; pass it to a lifecycle's `register()` so drain waits for it. */
  work<P = unknown, R = unknown>(kind: string, handler: JobHandler<P, R>, options: WorkOptions = {}): Worker<P, R> {
    checkKind(kind);
    return new Worker<P, R>(this, kind, handler, {
      ...options,
      ttlMs: positive('ttlMs', options.ttlMs ?? this.#policy.ttlMs),
    });
  }

  /** Closes the session leases opened (a lent one stays open); drain the workers first. */
  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#owned ? (this.#session ?? (await this.#opening?.catch(() => null))) : null;
    this.#session = null;
    await session?.close();
  }
}

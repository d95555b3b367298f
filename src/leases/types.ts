/** Where a job is: `queued` (waiting, maybe until `runAfter`), `running` under a lease, or one of the ends. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'quarantined';

/** Every state, in the order reports list them. */
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'quarantined'];

/** One job row as the jobs table holds it; times are ISO strings read from the database's clock. */
export interface Job<P = unknown> {
  id: string;
  kind: string;
  state: JobState;
  payload: P;
  /** The idempotency key it was submitted with, if any. */
  key: string | null;
  /** The worker holding (or that last held) the lease. */
  owner: string | null;
  /** How many times the job was claimed; every claim takes the next epoch. */
  epoch: number;
  leaseUntil: string | null;
  runAfter: string;
  /** Attempts consumed: completions, failures and crashes (an interrupted release consumes none). */
  attempts: number;
  /** Times a worker lost the lease without finishing (died, froze, lost the database). */
  crashes: number;
  /** Times a draining worker released the job unfinished. */
  interruptions: number;
  result: unknown;
  /** The last failure, crash or quarantine reason. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A job a worker holds: the fencing token (`epoch`) goes with every heartbeat and completion. */
export interface Claim<P = unknown> {
  id: string;
  kind: string;
  epoch: number;
  payload: P;
  /** This attempt's number, from 1. */
  attempt: number;
  /** Crashes before this attempt. */
  crashes: number;
  owner: string;
  leaseUntil: string;
}

/** What the sweeper did with one expired lease. */
export interface SweepItem {
  id: string;
  kind: string;
  /** The worker whose lease expired. */
  owner: string | null;
  epoch: number;
  /** `requeued` and `quarantined` were done by this sweep; `skipped` says why not in `reason`. */
  status: 'requeued' | 'quarantined' | 'skipped';
  /** Crashes counted so far, this one included. */
  crashes: number;
  reason: string;
}

/** The sweeper's report: one item per expired lease it found, none left out. */
export interface SweepReport {
  items: SweepItem[];
  requeued: number;
  quarantined: number;
  skipped: number;
}

/** Lease timings and the crash policy; the defaults come from operations.md §4B. */
export interface LeasePolicy {
  /** How long a claim or heartbeat holds the lease, in ms. Default 45 s. */
  ttlMs?: number;
  /** Crash resubmits a job gets; the crash after them quarantines it. Default 2 (the third crash quarantines). */
  maxCrashes?: number;
  /** How long a job released as interrupted waits before it is due again, in ms. Default 30 s. */
  interruptDelayMs?: number;
}

/** What a worker asks of the lease store: claim a job, hold, end or hand back its lease, and sweep expired ones. */
export interface LeaseStore {
  claim<P = unknown>(kind: string, owner: string, options?: { ttlMs?: number }): Promise<Claim<P> | null>;
  heartbeat(id: string, epoch: number, options?: { ttlMs?: number }): Promise<{ leaseUntil: string }>;
  complete(id: string, epoch: number, result?: unknown): Promise<void>;
  fail(id: string, epoch: number, error: unknown, options?: { retryDelayMs?: number }): Promise<void>;
  release(id: string, epoch: number, options?: { delayMs?: number }): Promise<void>;
  sweep(): Promise<SweepReport>;
}

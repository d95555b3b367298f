import type { DialectSql, Row } from '../drivers/types.js';
import { nowMs, tableNames } from '../migrate/internal.js';
import type { Job, JobState } from './types.js';

/** One statement and its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** The columns every read returns, so rows map to jobs the same way everywhere. */
const COLUMNS =
  'id, kind, state, payload, dedupe_key, owner, epoch, token, lease_until, run_after, attempts, crashes, interruptions, result, error, created_at, updated_at';

const num = (value: unknown): number => Number(value ?? 0);
const iso = (ms: unknown): string => new Date(num(ms)).toISOString();
const json = (text: unknown): unknown => (text == null ? null : JSON.parse(String(text)));

/** A job row as read, with the token that tells a writer whether its own transition won. */
export interface JobRow extends Job {
  token: string | null;
}

/** Maps a row of `COLUMNS` to a job. */
export function toJob(r: Row): JobRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    state: String(r.state) as JobState,
    payload: json(r.payload),
    key: r.dedupe_key == null ? null : String(r.dedupe_key),
    owner: r.owner == null ? null : String(r.owner),
    epoch: num(r.epoch),
    token: r.token == null ? null : String(r.token),
    leaseUntil: r.lease_until == null ? null : iso(r.lease_until),
    runAfter: iso(r.run_after),
    attempts: num(r.attempts),
    crashes: num(r.crashes),
    interruptions: num(r.interruptions),
    result: json(r.result),
    error: r.error == null ? null : String(r.error),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * The jobs table's statements for one dialect. Every time is computed by the database as epoch
 * milliseconds (`now`), so leases written and compared by many hosts all use the database's clock.
 */
export class JobsSql {
  /** The table as molt names it, unquoted, for existence checks and messages. */
  readonly table: string;
  readonly #t: string;
  readonly #p: (index: number) => string;
  /** The database's current time in epoch milliseconds, as an SQL expression. */
  readonly #now: string;

  constructor(sql: DialectSql, historyTable: string) {
    this.table = tableNames(historyTable).jobs;
    this.#t = tableNames(historyTable, (part) => sql.quote(part)).jobs;
    this.#p = (index) => sql.param(index);
    // A scalar subquery can bound an index scan even where the clock is volatile. Two mentions in one statement
    // may still read the clock a microsecond apart, so they can differ by a millisecond.
    this.#now = nowMs(sql);
  }

  /** A new queued job, due `delayMs` from now. */
  insert(id: string, kind: string, payload: string, key: string | null, delayMs: number): Statement {
    const p = this.#p;
    return {
      sql: `INSERT INTO ${this.#t} (id, kind, state, payload, dedupe_key, epoch, run_after, attempts, crashes, interruptions, created_at, updated_at)
        VALUES (${p(1)}, ${p(2)}, 'queued', ${p(3)}, ${p(4)}, 0, ${this.#now} + ${p(5)}, 0, 0, 0, ${this.#now}, ${this.#now})`,
      params: [id, kind, payload, key, delayMs],
    };
  }

  /** The job submitted with an idempotency key. */
  byKey(kind: string, key: string): Statement {
    return {
      sql: `SELECT id FROM ${this.#t} WHERE kind = ${this.#p(1)} AND dedupe_key = ${this.#p(2)}`,
      params: [kind, key],
    };
  }

  /** One job, every column. */
  get(id: string): Statement {
    return { sql: `SELECT ${COLUMNS} FROM ${this.#t} WHERE id = ${this.#p(1)}`, params: [id] };
  }

  /** The oldest due jobs of a kind: candidates for a claim, each taken by compare-and-set. */
  due(kind: string, limit: number): Statement {
    return {
      sql: `SELECT id, epoch FROM ${this.#t} WHERE kind = ${this.#p(1)} AND state = 'queued' AND run_after <= ${this.#now}
        ORDER BY run_after, id LIMIT ${Math.floor(limit)}`,
      params: [kind],
    };
  }

  /** Takes a queued job at `epoch` for `owner`: the next epoch, a fresh token, a lease of `ttlMs`. */
  claim(id: string, epoch: number, owner: string, token: string, ttlMs: number): Statement {
    const p = this.#p;
    return {
      sql: `UPDATE ${this.#t} SET state = 'running', epoch = epoch + 1, owner = ${p(1)}, token = ${p(2)},
        lease_until = ${this.#now} + ${p(3)}, updated_at = ${this.#now}
        WHERE id = ${p(4)} AND epoch = ${p(5)} AND state = 'queued'`,
      params: [owner, token, ttlMs, id, epoch],
    };
  }

  /** Extends the lease of a job still running at `epoch`. */
  heartbeat(id: string, epoch: number, ttlMs: number): Statement {
    const p = this.#p;
    return {
      sql: `UPDATE ${this.#t} SET lease_until = ${this.#now} + ${p(1)}, updated_at = ${this.#now}
        WHERE id = ${p(2)} AND epoch = ${p(3)} AND state = 'running'`,
      params: [ttlMs, id, epoch],
    };
  }

  /** Ends a running lease: `done`, `failed`, or back to `queued` after `delayMs` (a retry). */
  finish(
    id: string,
    epoch: number,
    token: string,
    end: { state: JobState; result: string | null; error: string | null; delayMs: number },
  ): Statement {
    const p = this.#p;
    return {
      sql: `UPDATE ${this.#t} SET state = ${p(1)}, result = ${p(2)}, error = ${p(3)}, token = ${p(4)}, attempts = attempts + 1,
        lease_until = NULL, run_after = ${this.#now} + ${p(5)}, updated_at = ${this.#now}
        WHERE id = ${p(6)} AND epoch = ${p(7)} AND state = 'running'`,
      params: [end.state, end.result, end.error, token, end.delayMs, id, epoch],
    };
  }

  /** Puts a running job back without consuming an attempt, due after `delayMs`. */
  release(id: string, epoch: number, token: string, delayMs: number): Statement {
    const p = this.#p;
    return {
      sql: `UPDATE ${this.#t} SET state = 'queued', owner = NULL, token = ${p(1)}, interruptions = interruptions + 1,
        lease_until = NULL, run_after = ${this.#now} + ${p(2)}, updated_at = ${this.#now}
        WHERE id = ${p(3)} AND epoch = ${p(4)} AND state = 'running'`,
      params: [token, delayMs, id, epoch],
    };
  }

  /** Running jobs whose lease has expired, oldest expiry first. */
  expired(limit: number): Statement {
    return {
      sql: `SELECT id, kind, owner, epoch, crashes, lease_until FROM ${this.#t} WHERE state = 'running' AND lease_until < ${this.#now}
        ORDER BY lease_until, id LIMIT ${Math.floor(limit)}`,
      params: [],
    };
  }

  /** Moves a job whose lease expired to `state` (queued or quarantined), counting the crash and the attempt. */
  reap(id: string, epoch: number, token: string, state: JobState, error: string): Statement {
    const p = this.#p;
    return {
      sql: `UPDATE ${this.#t} SET state = ${p(1)}, owner = NULL, token = ${p(2)}, error = ${p(3)}, crashes = crashes + 1, attempts = attempts + 1,
        lease_until = NULL, run_after = ${this.#now}, updated_at = ${this.#now}
        WHERE id = ${p(4)} AND epoch = ${p(5)} AND state = 'running' AND lease_until < ${this.#now}`,
      params: [state, token, error, id, epoch],
    };
  }

  /** Jobs, oldest first, filtered by kind and state. */
  list(filter: { kind?: string; state?: JobState; limit: number }): Statement {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.kind !== undefined) where.push(`kind = ${this.#p(params.push(filter.kind))}`);
    if (filter.state !== undefined) where.push(`state = ${this.#p(params.push(filter.state))}`);
    return {
      sql: `SELECT ${COLUMNS} FROM ${this.#t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ${Math.floor(filter.limit)}`,
      params,
    };
  }

  /** The number of jobs per state. */
  counts(kind?: string): Statement {
    return kind === undefined
      ? { sql: `SELECT state, COUNT(*) AS n FROM ${this.#t} GROUP BY state`, params: [] }
      : {
          sql: `SELECT state, COUNT(*) AS n FROM ${this.#t} WHERE kind = ${this.#p(1)} GROUP BY state`,
          params: [kind],
        };
  }
}

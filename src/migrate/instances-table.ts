import type { DialectSql, Row, Session } from '../drivers/types.js';
import type { TableNames } from './history-schema.js';
import { knowledgeColumns, knowledgeFrom, type Knowledge } from './knowledge.js';

/** Where an instance is in its life: `serving` once it is ready, `draining` once its drain began. */
export type InstanceState = 'starting' | 'serving' | 'draining';

/** One registered instance as the instances table holds it, judged on the database's clock. */
export interface LiveInstance {
  id: string;
  /** What people call it: `MOLT_INSTANCE_NAME`, else the host name. */
  name: string;
  host: string;
  pid: number;
  appVersion: string | null;
  commit: string | null;
  /** The migrations its release knows; null when it registered without its migration set. */
  knows: Knowledge | null;
  state: InstanceState;
  startedAt: string;
  heartbeatAt: string;
  /** Milliseconds since its last heartbeat, by the database's clock. */
  heartbeatAgeMs: number;
  /** Its heartbeat is older than its TTL: it is not counted, and is purged later. */
  stale: boolean;
}

/** A release that ran against this database, with the migrations it knows. */
export interface ReleaseRecord {
  appVersion: string;
  commit: string | null;
  knows: Knowledge | null;
  firstSeen: string;
  lastSeen: string;
}

/** What an instance writes when it registers: its row as it will be read, and how long it stays live without a beat. */
export type Registration = Pick<
  LiveInstance,
  'id' | 'name' | 'host' | 'pid' | 'appVersion' | 'commit' | 'knows' | 'state'
> & { ttlMs: number };

/** The database's current time in epoch milliseconds, as an SQL expression every dialect evaluates once per statement. */
export function nowMs(sql: DialectSql): string {
  // A scalar subquery is computed once per statement, even where the clock is volatile (PostgreSQL's clock_timestamp()).
  return `(SELECT ${sql.msSince('1970-01-01T00:00:00.000Z')})`;
}

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
/** How many times a registration the server rolled back to break a deadlock is tried. */
const RETRIES = 5;

/** The rows of a query on one of molt's own tables; none when the table does not exist yet (nothing was recorded). */
export async function rowsOrNone(session: Session, sql: DialectSql, text: string): Promise<Row[]> {
  try {
    return await session.query(text);
  } catch (error) {
    if (sql.isMissingTable(error)) return [];
    throw error;
  }
}

/** Reads and writes the instances and releases tables through one session. */
export class InstancesTable {
  readonly #session: Session;
  readonly #sql: DialectSql;
  readonly #t: TableNames;
  readonly #now: string;

  /** `names` are the quoted companion names of one history (`History.names`). */
  constructor(session: Session, sql: DialectSql, names: TableNames) {
    this.#session = session;
    this.#sql = sql;
    this.#t = names;
    this.#now = nowMs(sql);
  }

  #p(count: number): string[] {
    return Array.from({ length: count }, (_, i) => this.#sql.param(i + 1));
  }

  /** Every registered instance, live and stale, oldest first; none when the table does not exist yet. */
  async list(): Promise<LiveInstance[]> {
    const rows = await rowsOrNone(
      this.#session,
      this.#sql,
      `SELECT i.*, ${this.#now} AS now_ms FROM ${this.#t.instances} i`,
    );
    return rows
      .map((r) => ({
        id: String(r.id),
        name: String(r.name ?? r.host ?? ''),
        host: String(r.host ?? ''),
        pid: Number(r.pid),
        appVersion: r.app_version == null ? null : String(r.app_version),
        commit: r.app_commit == null ? null : String(r.app_commit),
        knows: knowledgeFrom(r.knows_newest, r.knows_contracts),
        state: String(r.state) as InstanceState,
        startedAt: iso(r.started_at),
        heartbeatAt: iso(r.heartbeat_at),
        heartbeatAgeMs: Math.max(0, Number(r.now_ms) - Number(r.heartbeat_at)),
        stale: Number(r.expires_at) < Number(r.now_ms),
      }))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  /**
   * Writes a new instance row, its first heartbeat now, and its release among the releases seen. `purgeAfterMs` first
   * deletes the rows of instances stale for that long, in the same transaction (one commit where each costs a sync).
   */
  async register(r: Registration, purgeAfterMs?: number): Promise<void> {
    const k = knowledgeColumns(r.knows);
    const p = this.#p(10);
    // Many instances booting together purge and insert at once; where the server breaks a deadlock between them by
    // rolling one back, that one runs its transaction again.
    for (let attempt = 1; ; attempt++) {
      await this.#session.begin();
      try {
        if (purgeAfterMs !== undefined) await this.purge(purgeAfterMs);
        await this.#session.query(
          `INSERT INTO ${this.#t.instances} (id, name, host, pid, app_version, app_commit, knows_newest, knows_contracts, state, started_at, heartbeat_at, expires_at)
         VALUES (${p.slice(0, 9).join(', ')}, ${this.#now}, ${this.#now}, ${this.#now} + ${p[9]})`,
          [r.id, r.name, r.host, r.pid, r.appVersion, r.commit, k.newest, k.contracts, r.state, r.ttlMs],
        );
        await this.#session.commit();
        break;
      } catch (error) {
        await this.#session.rollback().catch(() => undefined);
        if (attempt >= RETRIES || !this.#sql.isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
      }
    }
    // Outside the transaction: losing the insert race to another instance of the release is an error it recovers from.
    if (r.appVersion !== null) await this.#recordRelease(r.appVersion, r.commit, r.knows);
  }

  /**
   * The release's row: first seen kept, last seen and what it knows brought up to date. Two instances of one release
   * may insert at once; the one that loses the race finds the row the other wrote and updates it.
   */
  async #recordRelease(appVersion: string, commit: string | null, knows: Knowledge | null): Promise<void> {
    const k = knowledgeColumns(knows);
    const p = this.#p(4);
    const update = async (): Promise<boolean> => {
      await this.#session.query(
        `UPDATE ${this.#t.releases} SET app_commit = ${p[0]}, knows_newest = ${p[1]}, knows_contracts = ${p[2]}, last_seen = ${this.#now} WHERE app_version = ${p[3]}`,
        [commit, k.newest, k.contracts, appVersion],
      );
      const found = await this.#session.query(
        `SELECT 1 AS found FROM ${this.#t.releases} WHERE app_version = ${p[0]}`,
        [appVersion],
      );
      return found.length > 0;
    };
    if (await update()) return;
    try {
      await this.#session.query(
        `INSERT INTO ${this.#t.releases} (app_version, app_commit, knows_newest, knows_contracts, first_seen, last_seen)
         VALUES (${p.join(', ')}, ${this.#now}, ${this.#now})`,
        [appVersion, commit, k.newest, k.contracts],
      );
    } catch (error) {
      if (!(await update())) throw error;
    }
  }

  /**
   * One heartbeat: the row's heartbeat and expiry moved forward and its state written. False when the row is gone
   * (purged while this process could not reach the database): the caller registers again.
   */
  async beat(id: string, state: InstanceState, ttlMs: number): Promise<boolean> {
    const p = this.#p(3);
    await this.#session.query(
      `UPDATE ${this.#t.instances} SET state = ${p[0]}, heartbeat_at = ${this.#now}, expires_at = ${this.#now} + ${p[1]} WHERE id = ${p[2]}`,
      [state, ttlMs, id],
    );
    const found = await this.#session.query(`SELECT 1 AS found FROM ${this.#t.instances} WHERE id = ${p[0]}`, [id]);
    return found.length > 0;
  }

  /** Removes an instance's row: a clean exit. */
  async remove(id: string): Promise<void> {
    await this.#session.query(`DELETE FROM ${this.#t.instances} WHERE id = ${this.#sql.param(1)}`, [id]);
  }

  /** Deletes the rows of instances stale for longer than `afterMs`: crashed processes nobody will remove. */
  async purge(afterMs: number): Promise<void> {
    await this.#session.query(
      `DELETE FROM ${this.#t.instances} WHERE expires_at < ${this.#now} - ${this.#sql.param(1)}`,
      [afterMs],
    );
  }

  /** Every release seen on this database, oldest first; none when the table does not exist yet. */
  async releases(): Promise<ReleaseRecord[]> {
    const rows = await rowsOrNone(this.#session, this.#sql, `SELECT * FROM ${this.#t.releases}`);
    return rows
      .map((r) => ({
        appVersion: String(r.app_version),
        commit: r.app_commit == null ? null : String(r.app_commit),
        knows: knowledgeFrom(r.knows_newest, r.knows_contracts),
        firstSeen: iso(r.first_seen),
        lastSeen: iso(r.last_seen),
      }))
      .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  }
}

import type { DialectSql, Session } from '../drivers/types.js';
import { nowMs, type TableNames } from '../migrate/internal.js';
import { AuditLog } from './audit-log.js';

/**
 * One session shared by the fleet's handlers: every operation runs alone on it, a transaction included. The tables'
 * names, the dialect, the database clock and the audit log, for the stores built on it.
 */
export class StoreBase {
  protected readonly sql: DialectSql;
  protected readonly t: TableNames;
  /** The database's clock in epoch ms, as an SQL expression. */
  protected readonly now: string;
  protected readonly log: AuditLog;
  readonly #s: Session;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(session: Session, sql: DialectSql, tables: TableNames) {
    this.#s = session;
    this.sql = sql;
    this.t = tables;
    this.now = nowMs(sql);
    this.log = new AuditLog(sql, tables.fleetAudit, this.now);
  }

  /** Runs `work` with the session to itself; `atomic` wraps it in a transaction. */
  run<T>(work: (s: Session) => Promise<T>, atomic = false): Promise<T> {
    const next = this.#queue.then(async () => {
      if (!atomic) return work(this.#s);
      await this.#s.begin();
      try {
        const result = await work(this.#s);
        await this.#s.commit();
        return result;
      } catch (error) {
        await this.#s.rollback().catch(() => undefined);
        throw error;
      }
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** The bind marker of parameter `i` (1-based). */
  protected p(i: number): string {
    return this.sql.param(i);
  }
}

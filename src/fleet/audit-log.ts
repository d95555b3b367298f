import { randomUUID } from 'node:crypto';
import type { DialectSql, Session } from '../drivers/types.js';
import type { AuditEntry, AuditFilter } from './types.js';
import { iso, json, type AuditWrite } from './store-rows.js';

/** Rows per multi-row statement: well under every engine's limit on bind parameters. */
export const CHUNK = 200;

let sequence = 0;
/** Audit ids sort by time, then by the order one process wrote them. */
const auditId = (): string =>
  `${Date.now().toString(36).padStart(9, '0')}-${(sequence++ % 1_679_616).toString(36).padStart(4, '0')}-${randomUUID().slice(0, 8)}`;
const msOf = (value: string | number): number => (typeof value === 'number' ? value : Date.parse(value));

/** The append-only audit log: rows are added, never changed or removed. */
export class AuditLog {
  readonly #sql: DialectSql;
  readonly #table: string;
  readonly #now: string;

  constructor(sql: DialectSql, table: string, now: string) {
    this.#sql = sql;
    this.#table = table;
    this.#now = now;
  }

  /** Appends rows on `s` (inside the caller's transaction), 200 to a statement. */
  async append(s: Session, entries: readonly AuditWrite[]): Promise<void> {
    const p = this.#sql.param;
    for (let i = 0; i < entries.length; i += CHUNK) {
      const params: unknown[] = [];
      const rows = entries.slice(i, i + CHUNK).map((e) => {
        const at = params.length;
        params.push(auditId(), e.action, e.actor, e.agentId ?? null, JSON.stringify(e.detail));
        return `(${p(at + 1)}, ${this.#now}, ${p(at + 2)}, ${p(at + 3)}, ${p(at + 4)}, ${p(at + 5)})`;
      });
      await s.query(
        `INSERT INTO ${this.#table} (id, at, action, actor, agent_id, detail) VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }

  /** The rows, oldest first, filtered by action, agent, actor and time; `limit` keeps the newest. */
  async read(s: Session, filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (marker: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(this.#sql.param(params.length)));
    };
    if (filter.action) add((m) => `action = ${m}`, filter.action);
    if (filter.agent) add((m) => `agent_id = ${m}`, filter.agent);
    if (filter.actor) add((m) => `actor = ${m}`, filter.actor);
    if (filter.since !== undefined) add((m) => `at >= ${m}`, msOf(filter.since));
    if (filter.until !== undefined) add((m) => `at <= ${m}`, msOf(filter.until));
    const rows = await s.query(
      `SELECT id, at, action, actor, agent_id, detail FROM ${this.#table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`,
      params,
    );
    const limited = filter.limit ? rows.slice(-filter.limit) : rows;
    return limited.map((r) => ({
      id: String(r.id),
      at: iso(r.at),
      action: String(r.action),
      actor: String(r.actor),
      agentId: r.agent_id === null || r.agent_id === undefined ? null : String(r.agent_id),
      detail: json(r.detail) ?? {},
    }));
  }
}

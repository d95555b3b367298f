import { randomUUID } from 'node:crypto';
import { CHUNK } from './audit-log.js';
import { StoreBase } from './store-base.js';
import { dispatchOf, type AuditWrite, type DispatchWrite } from './store-rows.js';
import { ACTIVE_STATES, type DispatchRecord, type DispatchState } from './types.js';

/** The dispatches table: upgrades sent to agents, from creation to their result. */
export class DispatchStore extends StoreBase {
  /** Dispatches, newest first: of one agent, of one rollout, or only those in flight. */
  async dispatches(
    filter: { agent?: string; rollout?: string; active?: boolean; id?: string; limit?: number } = {},
  ): Promise<DispatchRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(this.p(params.length)));
    };
    if (filter.id !== undefined) add((p) => `id = ${p}`, filter.id);
    if (filter.agent !== undefined) add((p) => `agent_id = ${p}`, filter.agent);
    if (filter.rollout !== undefined) add((p) => `rollout_id = ${p}`, filter.rollout);
    if (filter.active) where.push('slot IS NOT NULL');
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT * FROM ${this.t.fleetDispatches}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`,
        params,
      );
      return rows.slice(0, filter.limit ?? rows.length).map(dispatchOf);
    });
  }

  /**
   * Creates dispatches, marks their agents and appends the audit rows, all in one transaction. An agent with an upgrade
   * in flight keeps it: its slot is taken, so a dispatch racing from another replica is refused by the database.
   */
  async createDispatches(
    list: readonly DispatchWrite[],
    audit: (d: DispatchRecord) => AuditWrite,
  ): Promise<DispatchRecord[]> {
    if (list.length === 0) return [];
    return this.run(async (s) => {
      const made: DispatchRecord[] = list.map((d) => ({
        id: randomUUID(),
        agentId: d.agentId,
        rolloutId: d.rolloutId,
        canary: d.canary,
        fromVersion: d.fromVersion,
        toVersion: d.artifact.version,
        artifact: d.artifact,
        actor: d.actor,
        state: 'queued',
        reason: null,
        detail: null,
        createdAt: new Date().toISOString(),
        endedAt: null,
      }));
      // A few statements per 200 dispatches, not three per dispatch: one connection moves a 10,000-agent fleet.
      for (let i = 0; i < list.length; i += CHUNK) {
        const writes = list.slice(i, i + CHUNK);
        const records = made.slice(i, i + CHUNK);
        const params: unknown[] = [];
        const rows = writes.map((d, j) => {
          const r = records[j]!;
          const at = params.length;
          params.push(
            r.id,
            `active:${d.agentId}`,
            d.agentId,
            d.rolloutId,
            d.canary ? 1 : 0,
            d.fromVersion,
            d.artifact.version,
            JSON.stringify(d.artifact),
            d.actor,
            'queued',
            d.replica,
          );
          const marks = Array.from({ length: 11 }, (_, k) => this.p(at + k + 1)).join(', ');
          return `(${marks}, ${this.now}, ${this.now} + ${Math.round(d.ackWithinMs)}, ${this.now} + ${Math.round(d.confirmWithinMs)})`;
        });
        await s.query(
          `INSERT INTO ${this.t.fleetDispatches} (id, slot, agent_id, rollout_id, canary, from_version, to_version, artifact, actor, state, replica,
             created_at, ack_by, confirm_by) VALUES ${rows.join(', ')}`,
          params,
        );
        const ids: unknown[] = [];
        const cases = records.map((r, j) => {
          ids.push(r.agentId, r.id);
          return `WHEN ${this.p(2 * j + 1)} THEN ${this.p(2 * j + 2)}`;
        });
        const where = records.map((_, j) => this.p(ids.length + j + 1)).join(', ');
        await s.query(
          `UPDATE ${this.t.fleetAgents} SET state = 'dispatched', reason = NULL, detail = NULL, updated_at = ${this.now},
             dispatch_id = CASE id ${cases.join(' ')} END WHERE id IN (${where})`,
          [...ids, ...records.map((r) => r.agentId)],
        );
        await this.log.append(s, records.map(audit));
      }
      return made;
    }, true);
  }

  /** Marks queued dispatches as sent, 200 to a statement; one an agent already answered is left where it is. */
  async markSent(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await this.run((s) =>
        s.query(
          `UPDATE ${this.t.fleetDispatches} SET state = 'sent', delivered_at = ${this.now}
           WHERE state = 'queued' AND id IN (${chunk.map((_, j) => this.p(j + 1)).join(', ')})`,
          chunk,
        ),
      );
    }
  }

  /** Upgrades queued for agents this replica holds. */
  async queuedFor(replica: string): Promise<DispatchRecord[]> {
    return this.run(async (s) =>
      (
        await s.query(
          `SELECT * FROM ${this.t.fleetDispatches} WHERE state = 'queued' AND replica = ${this.p(1)} ORDER BY created_at, id`,
          [replica],
        )
      ).map(dispatchOf),
    );
  }

  /**
   * Moves a dispatch on (`sent`, an agent's status, a result). A state it is already past, or a dispatch already
   * ended, is left as is: false. An ending frees the agent's slot, records the result on the agent and appends `audit`.
   */
  async advance(
    id: string,
    state: DispatchState,
    change: {
      reason?: string | null;
      detail?: Record<string, unknown> | null;
      audit?: AuditWrite;
      agentState?: string;
    } = {},
  ): Promise<boolean> {
    const ending = !ACTIVE_STATES.includes(state);
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT agent_id, state, slot FROM ${this.t.fleetDispatches} WHERE id = ${this.p(1)}`,
        [id],
      );
      const row = rows[0];
      if (!row || row.slot === null || row.slot === undefined) return false;
      if (!ending && ACTIVE_STATES.indexOf(state) <= ACTIVE_STATES.indexOf(String(row.state) as DispatchState))
        return false;
      await s.query(
        `UPDATE ${this.t.fleetDispatches} SET state = ${this.p(1)}, reason = ${this.p(2)}, detail = ${this.p(3)},
           ${state === 'sent' ? `delivered_at = ${this.now},` : ''} ${ending ? `slot = NULL, ended_at = ${this.now},` : ''} replica = replica
         WHERE id = ${this.p(4)}`,
        [state, change.reason ?? null, change.detail ? JSON.stringify(change.detail) : null, id],
      );
      await s.query(
        `UPDATE ${this.t.fleetAgents} SET state = ${this.p(1)}, reason = ${this.p(2)}, detail = ${this.p(3)}, updated_at = ${this.now}
         WHERE id = ${this.p(4)} AND dispatch_id = ${this.p(5)}`,
        [
          change.agentState ?? state,
          change.reason ?? null,
          change.detail ? JSON.stringify(change.detail) : null,
          row.agent_id,
          id,
        ],
      );
      if (change.audit) await this.log.append(s, [change.audit]);
      return true;
    }, true);
  }

  /** Sets an agent's shown state without a dispatch (an offline bundle confirmed, a download that found no network). */
  async agentResult(
    id: string,
    state: string,
    reason: string | null,
    detail: Record<string, unknown> | null,
    audit?: AuditWrite,
  ): Promise<void> {
    await this.run(async (s) => {
      await s.query(
        `UPDATE ${this.t.fleetAgents} SET state = ${this.p(1)}, reason = ${this.p(2)}, detail = ${this.p(3)}, updated_at = ${this.now} WHERE id = ${this.p(4)}`,
        [state, reason, detail ? JSON.stringify(detail) : null, id],
      );
      if (audit) await this.log.append(s, [audit]);
    }, true);
  }

  /** Dispatches in flight past a deadline: never answered by `ack_by`, or never confirmed by `confirm_by`. */
  async overdue(): Promise<(DispatchRecord & { missed: 'ack' | 'confirm' })[]> {
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT *, CASE WHEN confirm_by < ${this.now} THEN 'confirm' ELSE 'ack' END AS missed FROM ${this.t.fleetDispatches}
         WHERE slot IS NOT NULL AND (confirm_by < ${this.now} OR (ack_by < ${this.now} AND state IN ('queued', 'sent')))`,
      );
      return rows.map((r) => ({
        ...dispatchOf(r),
        missed: r.missed === 'confirm' ? ('confirm' as const) : ('ack' as const),
      }));
    });
  }
}

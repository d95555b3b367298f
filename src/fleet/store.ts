import { randomUUID } from 'node:crypto';
import type { DialectSql, Row, Session } from '../drivers/types.js';
import { nowMs, type TableNames } from '../migrate/internal.js';
import {
  ACTIVE_STATES,
  type Artifact,
  type AuditEntry,
  type AuditFilter,
  type DispatchRecord,
  type DispatchState,
  type Policy,
  type PolicyMode,
} from './types.js';

/** The fleet's state row: the policy, the rollout under way and the agent build. */
export interface FleetState extends Policy {
  rolloutId: string | null;
  rolloutTarget: string | null;
  rolloutBaseline: number | null;
  artifact: Artifact | null;
  lastTick: string | null;
  updatedBy: string | null;
}

/** An agent row as the store reads it (the registry derives what it shows from it). */
export interface AgentRow {
  id: string;
  secretHash: string;
  host: string | null;
  version: string | null;
  commit: string | null;
  os: string | null;
  arch: string | null;
  group: string | null;
  protocol: number | null;
  updateSource: 'online' | 'offline';
  pinned: boolean;
  pinReason: string | null;
  connected: boolean;
  replica: string | null;
  state: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
  dispatchId: string | null;
  enrolledAt: number;
  lastSeenAgoMs: number | null;
}

/** One audit row to append. */
export interface AuditWrite {
  action: string;
  actor: string;
  agentId?: string | null;
  detail: Record<string, unknown>;
}

/** A dispatch to create. */
export interface DispatchWrite {
  agentId: string;
  rolloutId: string | null;
  canary: boolean;
  fromVersion: string | null;
  artifact: Artifact;
  actor: string;
  replica: string | null;
  ackWithinMs: number;
  confirmWithinMs: number;
}

/** What a hello writes. */
export interface HelloWrite {
  id: string;
  host: string | null;
  version: string;
  commit: string | null;
  os: string | null;
  arch: string | null;
  group: string | null;
  protocol: number;
  updateSource: 'online' | 'offline';
}

const STATE_ID = 'fleet';
/** Rows per multi-row statement: well under every engine's limit on bind parameters. */
const CHUNK = 200;
const json = (value: unknown): Record<string, unknown> | null => {
  if (value === null || value === undefined || value === '') return null;
  try {
    return JSON.parse(String(value)) as Record<string, unknown>;
  } catch {
    return null;
  }
};
const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const msOf = (value: string | number): number => (typeof value === 'number' ? value : Date.parse(value));
let sequence = 0;
/** Audit ids sort by time, then by the order one process wrote them. */
const auditId = (): string =>
  `${Date.now().toString(36).padStart(9, '0')}-${(sequence++ % 1_679_616).toString(36).padStart(4, '0')}-${randomUUID().slice(0, 8)}`;

/**
 * The fleet's tables through one session. Every operation runs alone (the session is shared by the server's
 * handlers), a transaction included, and times are the database's clock.
 */
export class FleetStore {
  readonly #s: Session;
  readonly #sql: DialectSql;
  readonly #t: TableNames;
  readonly #now: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(session: Session, sql: DialectSql, tables: TableNames) {
    this.#s = session;
    this.#sql = sql;
    this.#t = tables;
    this.#now = nowMs(sql);
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

  #p(i: number): string {
    return this.#sql.param(i);
  }

  /** The state row, created with the defaults (manual, 10 %, 3 canaries) the first time. */
  async state(): Promise<FleetState> {
    return this.run(async (s) => {
      let rows = await s.query(`SELECT * FROM ${this.#t.fleetState} WHERE id = ${this.#p(1)}`, [STATE_ID]);
      if (!rows[0]) {
        try {
          await s.query(
            `INSERT INTO ${this.#t.fleetState} (id, mode, percent, canaries, halted, updated_at) VALUES (${this.#p(1)}, 'manual', 10, 3, 0, ${this.#now})`,
            [STATE_ID],
          );
        } catch {
          // Another replica made it first.
        }
        rows = await s.query(`SELECT * FROM ${this.#t.fleetState} WHERE id = ${this.#p(1)}`, [STATE_ID]);
      }
      return stateOf(rows[0]!);
    });
  }

  /** Changes the policy and appends its audit row in one transaction; returns the state before and after. */
  async setPolicy(
    patch: Partial<Policy>,
    audit: (before: FleetState) => AuditWrite | null,
    fresh = false,
    by?: string,
  ): Promise<{ before: FleetState; after: FleetState }> {
    const before = await this.state();
    return this.run(async (s) => {
      const sets: string[] = [];
      const params: unknown[] = [];
      const set = (column: string, value: unknown): void => {
        params.push(value);
        sets.push(`${column} = ${this.#p(params.length)}`);
      };
      if (patch.mode !== undefined) set('mode', patch.mode);
      if (patch.percent !== undefined) set('percent', patch.percent);
      if (patch.canaries !== undefined) set('canaries', patch.canaries);
      if (patch.haltAfter !== undefined) set('halt_after', patch.haltAfter);
      if (patch.halted !== undefined) set('halted', patch.halted ? 1 : 0);
      if (patch.haltReason !== undefined) set('halt_reason', patch.haltReason);
      // An admin's change starts a new rollout on the next tick: a fresh baseline, and no failures carried over.
      if (fresh) sets.push('rollout_id = NULL');
      if (by !== undefined) set('updated_by', by);
      params.push(STATE_ID);
      await s.query(
        `UPDATE ${this.#t.fleetState} SET ${[...sets, `updated_at = ${this.#now}`].join(', ')} WHERE id = ${this.#p(params.length)}`,
        params,
      );
      const entry = audit(before);
      if (entry) await this.#audit(s, [entry]);
      const rows = await s.query(`SELECT * FROM ${this.#t.fleetState} WHERE id = ${this.#p(1)}`, [STATE_ID]);
      return { before, after: stateOf(rows[0]!) };
    }, true);
  }

  /** Records the agent build agents download for the server's version. */
  async setArtifact(artifact: Artifact, audit: AuditWrite): Promise<void> {
    await this.state();
    await this.run(async (s) => {
      await s.query(
        `UPDATE ${this.#t.fleetState} SET artifact = ${this.#p(1)}, updated_at = ${this.#now} WHERE id = ${this.#p(2)}`,
        [JSON.stringify(artifact), STATE_ID],
      );
      await this.#audit(s, [audit]);
    }, true);
  }

  /** Starts a rollout toward `target` with its baseline (the drifted agents it will move). */
  async startRollout(id: string, target: string, baseline: number): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.#t.fleetState} SET rollout_id = ${this.#p(1)}, rollout_target = ${this.#p(2)}, rollout_baseline = ${this.#p(3)} WHERE id = ${this.#p(4)}`,
        [id, target, baseline, STATE_ID],
      ),
    );
  }

  /**
   * Takes the evaluator's tick lease for `ms`, a compare-and-set on the state row read back: one replica evaluates at a
   * time on any engine, and a replica that died leaves the lease to expire.
   */
  async claimTick(owner: string, ms: number): Promise<boolean> {
    await this.state();
    return this.run(async (s) => {
      await s.query(
        `UPDATE ${this.#t.fleetState} SET tick_owner = ${this.#p(1)}, tick_until = ${this.#now} + ${Math.round(ms)}
         WHERE id = ${this.#p(2)} AND (tick_owner IS NULL OR tick_owner = ${this.#p(3)} OR tick_until < ${this.#now})`,
        [owner, STATE_ID, owner],
      );
      const rows = await s.query(`SELECT tick_owner FROM ${this.#t.fleetState} WHERE id = ${this.#p(1)}`, [STATE_ID]);
      return rows[0]?.tick_owner === owner;
    });
  }

  /** Gives the tick lease back and records when the tick ran. */
  async releaseTick(owner: string): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.#t.fleetState} SET tick_owner = NULL, tick_until = NULL, last_tick = ${this.#now} WHERE id = ${this.#p(1)} AND tick_owner = ${this.#p(2)}`,
        [STATE_ID, owner],
      ),
    );
  }

  /** Enrols an agent with the hash of its credential; false when the id is taken. */
  async enrol(id: string, secretHash: string, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const taken = await s.query(`SELECT id FROM ${this.#t.fleetAgents} WHERE id = ${this.#p(1)}`, [id]);
      if (taken[0]) return false;
      await s.query(
        `INSERT INTO ${this.#t.fleetAgents} (id, secret_hash, pinned, connected, state, update_source, enrolled_at, updated_at)
         VALUES (${this.#p(1)}, ${this.#p(2)}, 0, 0, 'none', 'online', ${this.#now}, ${this.#now})`,
        [id, secretHash],
      );
      await this.#audit(s, [audit]);
      return true;
    }, true);
  }

  /** Removes an agent (its credential stops working) and appends the audit row. */
  async forget(id: string, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const rows = await s.query(`SELECT id FROM ${this.#t.fleetAgents} WHERE id = ${this.#p(1)}`, [id]);
      if (!rows[0]) return false;
      await s.query(
        `UPDATE ${this.#t.fleetDispatches} SET state = 'cancelled', slot = NULL, reason = 'agent forgotten', ended_at = ${this.#now}
         WHERE agent_id = ${this.#p(1)} AND slot IS NOT NULL`,
        [id],
      );
      await s.query(`DELETE FROM ${this.#t.fleetAgents} WHERE id = ${this.#p(1)}`, [id]);
      await this.#audit(s, [audit]);
      return true;
    }, true);
  }

  /** The credential hashes of these agents, in one query. */
  async secretHashes(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    return this.run(async (s) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await s.query(
          `SELECT id, secret_hash FROM ${this.#t.fleetAgents} WHERE id IN (${chunk.map((_, j) => this.#p(j + 1)).join(', ')})`,
          chunk,
        );
        for (const row of rows) found.set(String(row.id), String(row.secret_hash));
      }
      return found;
    });
  }

  /** Records hellos on this replica in one transaction: versions, connection, and the replica that holds each. */
  async hellos(batch: readonly HelloWrite[], replica: string): Promise<void> {
    if (batch.length === 0) return;
    await this.run(async (s) => {
      // One statement per 200 hellos: each column is a CASE on the id (10,000 agents connecting at once).
      // An agent that said hello twice in one batch (it reconnected) is written once, with its latest hello.
      const latest = [...new Map(batch.map((h) => [h.id, h])).values()];
      for (let i = 0; i < latest.length; i += CHUNK) {
        const chunk = latest.slice(i, i + CHUNK);
        const params: unknown[] = [];
        const bind = (value: unknown): string => {
          params.push(value);
          return this.#p(params.length);
        };
        const column = (name: string, value: (h: HelloWrite) => unknown): string =>
          `${name} = CASE id ${chunk.map((h) => `WHEN ${bind(h.id)} THEN ${bind(value(h))}`).join(' ')} END`;
        const sets = [
          column('host', (h) => h.host),
          column('version', (h) => h.version),
          column('agent_commit', (h) => h.commit),
          column('os', (h) => h.os),
          column('arch', (h) => h.arch),
          column('group_name', (h) => h.group),
          column('update_source', (h) => h.updateSource),
          // Integers as literals: a bound parameter in a CASE is text to PostgreSQL.
          `protocol = CASE id ${chunk.map((h) => `WHEN ${bind(h.id)} THEN ${Math.trunc(Number(h.protocol))}`).join(' ')} END`,
          `replica = ${bind(replica)}`,
        ];
        const ids = chunk.map((h) => bind(h.id)).join(', ');
        await s.query(
          `UPDATE ${this.#t.fleetAgents} SET ${sets.join(', ')}, connected = 1, last_seen = ${this.#now}, updated_at = ${this.#now} WHERE id IN (${ids})`,
          params,
        );
      }
      // An upgrade queued for one of them on the replica it left follows it here.
      for (let i = 0; i < batch.length; i += 500) {
        const chunk = batch.slice(i, i + 500).map((h) => h.id);
        await s.query(
          `UPDATE ${this.#t.fleetDispatches} SET replica = ${this.#p(1)}
           WHERE state = 'queued' AND agent_id IN (${chunk.map((_, j) => this.#p(j + 2)).join(', ')})`,
          [replica, ...chunk],
        );
      }
    }, true);
  }

  /** Marks agents as gone from this replica (a later connection elsewhere is left alone). */
  async disconnected(ids: readonly string[], replica: string): Promise<void> {
    if (ids.length === 0) return;
    await this.run(async (s) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await s.query(
          `UPDATE ${this.#t.fleetAgents} SET connected = 0, last_seen = ${this.#now}
           WHERE replica = ${this.#p(1)} AND id IN (${chunk.map((_, j) => this.#p(j + 2)).join(', ')})`,
          [replica, ...chunk],
        );
      }
    });
  }

  /** Refreshes the last-seen time of every agent this replica holds (a replica that died stops doing it). */
  async touch(replica: string): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.#t.fleetAgents} SET last_seen = ${this.#now} WHERE replica = ${this.#p(1)} AND connected = 1`,
        [replica],
      ),
    );
  }

  /** Pins or unpins an agent (a pinned agent is never sent an upgrade by the evaluator), with its audit row. */
  async pin(id: string, pinned: boolean, reason: string | null, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const rows = await s.query(`SELECT id FROM ${this.#t.fleetAgents} WHERE id = ${this.#p(1)}`, [id]);
      if (!rows[0]) return false;
      await s.query(
        `UPDATE ${this.#t.fleetAgents} SET pinned = ${this.#p(1)}, pin_reason = ${this.#p(2)}, updated_at = ${this.#now} WHERE id = ${this.#p(3)}`,
        [pinned ? 1 : 0, reason, id],
      );
      await this.#audit(s, [audit]);
      return true;
    }, true);
  }

  /** Every agent, or one. */
  async agents(id?: string): Promise<AgentRow[]> {
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT id, secret_hash, host, version, agent_commit, os, arch, group_name, protocol, update_source, pinned, pin_reason,
           connected, replica, state, reason, detail, dispatch_id, enrolled_at, ${this.#now} - last_seen AS seen_ago
         FROM ${this.#t.fleetAgents}${id === undefined ? '' : ` WHERE id = ${this.#p(1)}`} ORDER BY id`,
        id === undefined ? [] : [id],
      );
      return rows.map(agentOf);
    });
  }

  /** Dispatches, newest first: of one agent, of one rollout, or only those in flight. */
  async dispatches(
    filter: { agent?: string; rollout?: string; active?: boolean; id?: string; limit?: number } = {},
  ): Promise<DispatchRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(this.#p(params.length)));
    };
    if (filter.id !== undefined) add((p) => `id = ${p}`, filter.id);
    if (filter.agent !== undefined) add((p) => `agent_id = ${p}`, filter.agent);
    if (filter.rollout !== undefined) add((p) => `rollout_id = ${p}`, filter.rollout);
    if (filter.active) where.push('slot IS NOT NULL');
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT * FROM ${this.#t.fleetDispatches}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`,
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
          const marks = Array.from({ length: 11 }, (_, k) => this.#p(at + k + 1)).join(', ');
          return `(${marks}, ${this.#now}, ${this.#now} + ${Math.round(d.ackWithinMs)}, ${this.#now} + ${Math.round(d.confirmWithinMs)})`;
        });
        await s.query(
          `INSERT INTO ${this.#t.fleetDispatches} (id, slot, agent_id, rollout_id, canary, from_version, to_version, artifact, actor, state, replica,
             created_at, ack_by, confirm_by) VALUES ${rows.join(', ')}`,
          params,
        );
        const ids: unknown[] = [];
        const cases = records.map((r, j) => {
          ids.push(r.agentId, r.id);
          return `WHEN ${this.#p(2 * j + 1)} THEN ${this.#p(2 * j + 2)}`;
        });
        const where = records.map((_, j) => this.#p(ids.length + j + 1)).join(', ');
        await s.query(
          `UPDATE ${this.#t.fleetAgents} SET state = 'dispatched', reason = NULL, detail = NULL, updated_at = ${this.#now},
             dispatch_id = CASE id ${cases.join(' ')} END WHERE id IN (${where})`,
          [...ids, ...records.map((r) => r.agentId)],
        );
        await this.#audit(s, records.map(audit));
      }
      return made;
    }, true);
  }

  /** Upgrades queued for agents this replica holds. */
  async queuedFor(replica: string): Promise<DispatchRecord[]> {
    return this.run(async (s) =>
      (
        await s.query(
          `SELECT * FROM ${this.#t.fleetDispatches} WHERE state = 'queued' AND replica = ${this.#p(1)} ORDER BY created_at, id`,
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
        `SELECT agent_id, state, slot FROM ${this.#t.fleetDispatches} WHERE id = ${this.#p(1)}`,
        [id],
      );
      const row = rows[0];
      if (!row || row.slot === null || row.slot === undefined) return false;
      if (!ending && ACTIVE_STATES.indexOf(state) <= ACTIVE_STATES.indexOf(String(row.state) as DispatchState))
        return false;
      await s.query(
        `UPDATE ${this.#t.fleetDispatches} SET state = ${this.#p(1)}, reason = ${this.#p(2)}, detail = ${this.#p(3)},
           ${state === 'sent' ? `delivered_at = ${this.#now},` : ''} ${ending ? `slot = NULL, ended_at = ${this.#now},` : ''} replica = replica
         WHERE id = ${this.#p(4)}`,
        [state, change.reason ?? null, change.detail ? JSON.stringify(change.detail) : null, id],
      );
      await s.query(
        `UPDATE ${this.#t.fleetAgents} SET state = ${this.#p(1)}, reason = ${this.#p(2)}, detail = ${this.#p(3)}, updated_at = ${this.#now}
         WHERE id = ${this.#p(4)} AND dispatch_id = ${this.#p(5)}`,
        [
          change.agentState ?? state,
          change.reason ?? null,
          change.detail ? JSON.stringify(change.detail) : null,
          row.agent_id,
          id,
        ],
      );
      if (change.audit) await this.#audit(s, [change.audit]);
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
        `UPDATE ${this.#t.fleetAgents} SET state = ${this.#p(1)}, reason = ${this.#p(2)}, detail = ${this.#p(3)}, updated_at = ${this.#now} WHERE id = ${this.#p(4)}`,
        [state, reason, detail ? JSON.stringify(detail) : null, id],
      );
      if (audit) await this.#audit(s, [audit]);
    }, true);
  }

  /** Dispatches in flight past a deadline: never answered by `ack_by`, or never confirmed by `confirm_by`. */
  async overdue(): Promise<(DispatchRecord & { missed: 'ack' | 'confirm' })[]> {
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT *, CASE WHEN confirm_by < ${this.#now} THEN 'confirm' ELSE 'ack' END AS missed FROM ${this.#t.fleetDispatches}
         WHERE slot IS NOT NULL AND (confirm_by < ${this.#now} OR (ack_by < ${this.#now} AND state IN ('queued', 'sent')))`,
      );
      return rows.map((r) => ({
        ...dispatchOf(r),
        missed: r.missed === 'confirm' ? ('confirm' as const) : ('ack' as const),
      }));
    });
  }

  /** Appends audit rows (outside another operation). */
  async audit(entries: readonly AuditWrite[]): Promise<void> {
    await this.run((s) => this.#audit(s, entries), true);
  }

  async #audit(s: Session, entries: readonly AuditWrite[]): Promise<void> {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const params: unknown[] = [];
      const rows = entries.slice(i, i + CHUNK).map((e) => {
        const at = params.length;
        params.push(auditId(), e.action, e.actor, e.agentId ?? null, JSON.stringify(e.detail));
        return `(${this.#p(at + 1)}, ${this.#now}, ${this.#p(at + 2)}, ${this.#p(at + 3)}, ${this.#p(at + 4)}, ${this.#p(at + 5)})`;
      });
      await s.query(
        `INSERT INTO ${this.#t.fleetAudit} (id, at, action, actor, agent_id, detail) VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }

  /** The audit log, oldest first, filtered. */
  async readAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(this.#p(params.length)));
    };
    if (filter.action) add((p) => `action = ${p}`, filter.action);
    if (filter.agent) add((p) => `agent_id = ${p}`, filter.agent);
    if (filter.actor) add((p) => `actor = ${p}`, filter.actor);
    if (filter.since !== undefined) add((p) => `at >= ${p}`, msOf(filter.since));
    if (filter.until !== undefined) add((p) => `at <= ${p}`, msOf(filter.until));
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT id, at, action, actor, agent_id, detail FROM ${this.#t.fleetAudit}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`,
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
    });
  }
}

function stateOf(r: Row): FleetState {
  return {
    mode: String(r.mode) as PolicyMode,
    percent: Number(r.percent),
    canaries: Number(r.canaries),
    haltAfter: r.halt_after === null || r.halt_after === undefined ? null : Number(r.halt_after),
    halted: Number(r.halted) === 1,
    haltReason: (r.halt_reason as string | null) ?? null,
    rolloutId: (r.rollout_id as string | null) ?? null,
    rolloutTarget: (r.rollout_target as string | null) ?? null,
    rolloutBaseline:
      r.rollout_baseline === null || r.rollout_baseline === undefined ? null : Number(r.rollout_baseline),
    artifact: json(r.artifact) as Artifact | null,
    lastTick: r.last_tick === null || r.last_tick === undefined ? null : iso(r.last_tick),
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function agentOf(r: Row): AgentRow {
  return {
    id: String(r.id),
    secretHash: String(r.secret_hash),
    host: text(r.host),
    version: text(r.version),
    commit: text(r.agent_commit),
    os: text(r.os),
    arch: text(r.arch),
    group: text(r.group_name),
    protocol: r.protocol === null || r.protocol === undefined ? null : Number(r.protocol),
    updateSource: r.update_source === 'offline' ? 'offline' : 'online',
    pinned: Number(r.pinned) === 1,
    pinReason: text(r.pin_reason),
    connected: Number(r.connected) === 1,
    replica: text(r.replica),
    state: String(r.state),
    reason: text(r.reason),
    detail: json(r.detail),
    dispatchId: text(r.dispatch_id),
    enrolledAt: Number(r.enrolled_at),
    lastSeenAgoMs: r.seen_ago === null || r.seen_ago === undefined ? null : Number(r.seen_ago),
  };
}

function dispatchOf(r: Row): DispatchRecord {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    rolloutId: text(r.rollout_id),
    canary: Number(r.canary) === 1,
    fromVersion: text(r.from_version),
    toVersion: String(r.to_version),
    artifact: json(r.artifact) as unknown as Artifact,
    actor: String(r.actor),
    state: String(r.state) as DispatchState,
    reason: text(r.reason),
    detail: json(r.detail),
    createdAt: iso(r.created_at),
    endedAt: r.ended_at === null || r.ended_at === undefined ? null : iso(r.ended_at),
  };
}

import { CHUNK } from './audit-log.js';
import { DispatchStore } from './dispatch-store.js';
import { agentOf, stateOf, type AgentRow, type AuditWrite, type FleetState, type HelloWrite } from './store-rows.js';
import type { Artifact, AuditEntry, AuditFilter, Policy } from './types.js';

export type { AgentRow, AuditWrite, DispatchWrite, FleetState, HelloWrite } from './store-rows.js';

const STATE_ID = 'fleet';

/**
 * The fleet's tables through one session (see StoreBase): the state row (policy, rollout, artifact, tick lease), the
 * agents, and through DispatchStore the dispatches; every time is the database's clock.
 */
export class FleetStore extends DispatchStore {
  /** The state row, created with the defaults (manual, 10 %, 3 canaries) the first time. */
  async state(): Promise<FleetState> {
    return this.run(async (s) => {
      let rows = await s.query(`SELECT * FROM ${this.t.fleetState} WHERE id = ${this.p(1)}`, [STATE_ID]);
      if (!rows[0]) {
        try {
          await s.query(
            `INSERT INTO ${this.t.fleetState} (id, mode, percent, canaries, halted, updated_at) VALUES (${this.p(1)}, 'manual', 10, 3, 0, ${this.now})`,
            [STATE_ID],
          );
        } catch {
          // Another replica made it first.
        }
        rows = await s.query(`SELECT * FROM ${this.t.fleetState} WHERE id = ${this.p(1)}`, [STATE_ID]);
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
        sets.push(`${column} = ${this.p(params.length)}`);
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
        `UPDATE ${this.t.fleetState} SET ${[...sets, `updated_at = ${this.now}`].join(', ')} WHERE id = ${this.p(params.length)}`,
        params,
      );
      const entry = audit(before);
      if (entry) await this.log.append(s, [entry]);
      const rows = await s.query(`SELECT * FROM ${this.t.fleetState} WHERE id = ${this.p(1)}`, [STATE_ID]);
      return { before, after: stateOf(rows[0]!) };
    }, true);
  }

  /** Records the agent build agents download for the server's version. */
  async setArtifact(artifact: Artifact, audit: AuditWrite): Promise<void> {
    await this.state();
    await this.run(async (s) => {
      await s.query(
        `UPDATE ${this.t.fleetState} SET artifact = ${this.p(1)}, updated_at = ${this.now} WHERE id = ${this.p(2)}`,
        [JSON.stringify(artifact), STATE_ID],
      );
      await this.log.append(s, [audit]);
    }, true);
  }

  /** Starts a rollout toward `target` with its baseline (the drifted agents it will move). */
  async startRollout(id: string, target: string, baseline: number): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.t.fleetState} SET rollout_id = ${this.p(1)}, rollout_target = ${this.p(2)}, rollout_baseline = ${this.p(3)} WHERE id = ${this.p(4)}`,
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
        `UPDATE ${this.t.fleetState} SET tick_owner = ${this.p(1)}, tick_until = ${this.now} + ${Math.round(ms)}
         WHERE id = ${this.p(2)} AND (tick_owner IS NULL OR tick_owner = ${this.p(3)} OR tick_until < ${this.now})`,
        [owner, STATE_ID, owner],
      );
      const rows = await s.query(`SELECT tick_owner FROM ${this.t.fleetState} WHERE id = ${this.p(1)}`, [STATE_ID]);
      return rows[0]?.tick_owner === owner;
    });
  }

  /** Gives the tick lease back and records when the tick ran. */
  async releaseTick(owner: string): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.t.fleetState} SET tick_owner = NULL, tick_until = NULL, last_tick = ${this.now} WHERE id = ${this.p(1)} AND tick_owner = ${this.p(2)}`,
        [STATE_ID, owner],
      ),
    );
  }

  /** Enrols an agent with the hash of its credential; false when the id is taken. */
  async enrol(id: string, secretHash: string, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const taken = await s.query(`SELECT id FROM ${this.t.fleetAgents} WHERE id = ${this.p(1)}`, [id]);
      if (taken[0]) return false;
      await s.query(
        `INSERT INTO ${this.t.fleetAgents} (id, secret_hash, pinned, connected, state, update_source, enrolled_at, updated_at)
         VALUES (${this.p(1)}, ${this.p(2)}, 0, 0, 'none', 'online', ${this.now}, ${this.now})`,
        [id, secretHash],
      );
      await this.log.append(s, [audit]);
      return true;
    }, true);
  }

  /** Removes an agent (its credential stops working) and appends the audit row. */
  async forget(id: string, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const rows = await s.query(`SELECT id FROM ${this.t.fleetAgents} WHERE id = ${this.p(1)}`, [id]);
      if (!rows[0]) return false;
      await s.query(
        `UPDATE ${this.t.fleetDispatches} SET state = 'cancelled', slot = NULL, reason = 'agent forgotten', ended_at = ${this.now}
         WHERE agent_id = ${this.p(1)} AND slot IS NOT NULL`,
        [id],
      );
      await s.query(`DELETE FROM ${this.t.fleetAgents} WHERE id = ${this.p(1)}`, [id]);
      await this.log.append(s, [audit]);
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
          `SELECT id, secret_hash FROM ${this.t.fleetAgents} WHERE id IN (${chunk.map((_, j) => this.p(j + 1)).join(', ')})`,
          chunk,
        );
        for (const row of rows) found.set(String(row.id), String(row.secret_hash));
      }
      return found;
    });
  }

  /** Records hellos on this replica in one transaction: versions, connection, and the replica that holds each. */
  async hellos(
    batch: readonly HelloWrite[],
    replica: string,
  ): Promise<Map<string, { dispatchId: string | null; state: string }>> {
    const known = new Map<string, { dispatchId: string | null; state: string }>();
    if (batch.length === 0) return known;
    return this.run(async (s) => {
      // One statement per 200 hellos: each column is a CASE on the id (10,000 agents connecting at once).
      // An agent that said hello twice in one batch (it reconnected) is written once, with its latest hello.
      const latest = [...new Map(batch.map((h) => [h.id, h])).values()];
      for (let i = 0; i < latest.length; i += CHUNK) {
        const chunk = latest.slice(i, i + CHUNK);
        const params: unknown[] = [];
        const bind = (value: unknown): string => {
          params.push(value);
          return this.p(params.length);
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
          `UPDATE ${this.t.fleetAgents} SET ${sets.join(', ')}, connected = 1, last_seen = ${this.now}, updated_at = ${this.now} WHERE id IN (${ids})`,
          params,
        );
      }
      // An upgrade queued for one of them on the replica it left follows it here.
      for (let i = 0; i < batch.length; i += 500) {
        const chunk = batch.slice(i, i + 500).map((h) => h.id);
        await s.query(
          `UPDATE ${this.t.fleetDispatches} SET replica = ${this.p(1)}
           WHERE state = 'queued' AND agent_id IN (${chunk.map((_, j) => this.p(j + 2)).join(', ')})`,
          [replica, ...chunk],
        );
        // What the reconciliation of each hello needs, read with the writes: no query per agent.
        const rows = await s.query(
          `SELECT id, dispatch_id, state FROM ${this.t.fleetAgents} WHERE id IN (${chunk.map((_, j) => this.p(j + 1)).join(', ')})`,
          chunk,
        );
        for (const r of rows)
          known.set(String(r.id), {
            dispatchId: r.dispatch_id === null || r.dispatch_id === undefined ? null : String(r.dispatch_id),
            state: String(r.state),
          });
      }
      return known;
    }, true);
  }

  /** Marks agents as gone from this replica (a later connection elsewhere is left alone). */
  async disconnected(ids: readonly string[], replica: string): Promise<void> {
    if (ids.length === 0) return;
    await this.run(async (s) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await s.query(
          `UPDATE ${this.t.fleetAgents} SET connected = 0, last_seen = ${this.now}
           WHERE replica = ${this.p(1)} AND id IN (${chunk.map((_, j) => this.p(j + 2)).join(', ')})`,
          [replica, ...chunk],
        );
      }
    });
  }

  /** Refreshes the last-seen time of every agent this replica holds (a replica that died stops doing it). */
  async touch(replica: string): Promise<void> {
    await this.run((s) =>
      s.query(
        `UPDATE ${this.t.fleetAgents} SET last_seen = ${this.now} WHERE replica = ${this.p(1)} AND connected = 1`,
        [replica],
      ),
    );
  }

  /** Pins or unpins an agent (a pinned agent is never sent an upgrade by the evaluator), with its audit row. */
  async pin(id: string, pinned: boolean, reason: string | null, audit: AuditWrite): Promise<boolean> {
    return this.run(async (s) => {
      const rows = await s.query(`SELECT id FROM ${this.t.fleetAgents} WHERE id = ${this.p(1)}`, [id]);
      if (!rows[0]) return false;
      await s.query(
        `UPDATE ${this.t.fleetAgents} SET pinned = ${this.p(1)}, pin_reason = ${this.p(2)}, updated_at = ${this.now} WHERE id = ${this.p(3)}`,
        [pinned ? 1 : 0, reason, id],
      );
      await this.log.append(s, [audit]);
      return true;
    }, true);
  }

  /** Every agent, or one. */
  async agents(id?: string): Promise<AgentRow[]> {
    return this.run(async (s) => {
      const rows = await s.query(
        `SELECT id, secret_hash, host, version, agent_commit, os, arch, group_name, protocol, update_source, pinned, pin_reason,
           connected, replica, state, reason, detail, dispatch_id, enrolled_at, ${this.now} - last_seen AS seen_ago
         FROM ${this.t.fleetAgents}${id === undefined ? '' : ` WHERE id = ${this.p(1)}`} ORDER BY id`,
        id === undefined ? [] : [id],
      );
      return rows.map(agentOf);
    });
  }

  /** Appends audit rows (outside another operation). */
  async audit(entries: readonly AuditWrite[]): Promise<void> {
    await this.run((s) => this.log.append(s, entries), true);
  }

  /** The audit log, oldest first, filtered. */
  readAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.run((s) => this.log.read(s, filter));
  }
}

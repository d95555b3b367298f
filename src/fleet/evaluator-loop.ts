import { randomUUID } from 'node:crypto';
import { planTick } from './evaluator.js';
import { upgrading } from './registry.js';
import type { Logger } from '../runtime/index.js';
import type { AgentRow, FleetStore } from './store.js';
import type { AgentRecord, Artifact, DispatchRecord } from './types.js';

/** What the evaluator needs of the fleet server (it implements this; the evaluator never imports it). */
export interface EvaluatorHost {
  readonly replica: string;
  readonly store: FleetStore;
  readonly serverVersion: string;
  readonly log: Logger;
  expire(): Promise<number>;
  show(row: AgentRow): AgentRecord;
  dispatch(
    list: { agentId: string; canary: boolean; fromVersion: string | null; replica: string | null }[],
    rolloutId: string | null,
    actor: string,
    artifact: Artifact,
  ): Promise<DispatchRecord[]>;
  changed(type: string, agentId?: string): void;
}

/** What one evaluation did. */
export interface TickReport {
  /** Who asked: `evaluator` (the timer) or an admin (Run now). */
  actor: string;
  /** False when another replica held the tick lease: it evaluates this round. */
  evaluated: boolean;
  mode: string;
  rolloutId: string | null;
  dispatched: string[];
  expired: number;
  halted: string | null;
  inFlight: number;
  remaining: number;
  durationMs: number;
}

/**
 * The evaluator: every tick (and on Run now) it ends overdue dispatches, then plans from the database's state and
 * dispatches. Single-flight: a Run now during a tick waits for that tick and runs once more after it, not twice at
 * once; across replicas a lease on the state row lets one evaluate at a time.
 */
export class Evaluator {
  readonly #fleet: EvaluatorHost;
  #running: Promise<TickReport> | null = null;
  #again: { actor: string; promise: Promise<TickReport> } | null = null;

  constructor(fleet: EvaluatorHost) {
    this.#fleet = fleet;
  }

  /** Evaluates now, or right after the tick under way (calls during that wait share one run). */
  tick(actor: string): Promise<TickReport> {
    if (!this.#running) return this.#start(actor);
    if (this.#again) return this.#again.promise;
    const promise = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#again = null;
        return this.#start(actor);
      });
    this.#again = { actor, promise };
    return promise;
  }

  /** Waits for a tick under way. */
  async idle(): Promise<void> {
    await this.#again?.promise.catch(() => undefined);
    await this.#running?.catch(() => undefined);
  }

  #start(actor: string): Promise<TickReport> {
    const running = this.#evaluate(actor).finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }

  async #evaluate(actor: string): Promise<TickReport> {
    const fleet = this.#fleet;
    const started = Date.now();
    const owner = fleet.replica;
    const report: TickReport = {
      actor,
      evaluated: false,
      mode: '',
      rolloutId: null,
      dispatched: [],
      expired: 0,
      halted: null,
      inFlight: 0,
      remaining: 0,
      durationMs: 0,
    };
    if (!(await fleet.store.claimTick(owner, 30_000))) {
      report.durationMs = Date.now() - started;
      return report;
    }
    try {
      report.evaluated = true;
      report.expired = await fleet.expire();
      const state = await fleet.store.state();
      report.mode = state.mode;
      const rows = await fleet.store.agents();
      const shown = rows.map((row) => fleet.show(row));
      const rollout =
        state.rolloutId && state.rolloutTarget !== null
          ? { id: state.rolloutId, target: state.rolloutTarget, baseline: state.rolloutBaseline ?? 0 }
          : null;
      const rolloutDispatches = rollout ? await fleet.store.dispatches({ rollout: rollout.id }) : [];
      const artifactReady = state.artifact?.version === fleet.serverVersion;
      const plan = planTick({
        policy: state,
        serverVersion: fleet.serverVersion,
        rollout,
        agents: shown.map((a) => ({
          id: a.id,
          version: a.version,
          online: a.online,
          pinned: a.pinned,
          updateSource: a.updateSource,
          busy: upgrading(a.state),
        })),
        rolloutDispatches,
        newRolloutId: randomUUID(),
      });
      report.rolloutId = plan.rolloutId;
      report.inFlight = plan.inFlight;
      report.remaining = plan.remaining;
      if (plan.halt) {
        report.halted = plan.halt;
        await fleet.store.setPolicy({ halted: true, haltReason: plan.halt }, (before) => ({
          action: 'agent.upgrade_policy',
          actor: 'evaluator',
          detail: {
            before: policyOf(before),
            after: { ...policyOf(before), halted: true },
            reason: plan.halt,
            rollout: plan.rolloutId,
          },
        }));
        fleet.log.warn(`fleet: rollout ${plan.rolloutId} halted: ${plan.halt}`);
        fleet.changed('policy');
        return report;
      }
      if (plan.dispatch.length === 0 || !artifactReady) {
        if (plan.dispatch.length > 0)
          fleet.log.warn(`fleet: ${plan.dispatch.length} agents wait for an agent build for ${fleet.serverVersion}`);
        return report;
      }
      if (plan.startRollout)
        await fleet.store.startRollout(plan.startRollout.id, plan.startRollout.target, plan.startRollout.baseline);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const made = await fleet.dispatch(
        plan.dispatch.map((d) => ({
          agentId: d.agentId,
          canary: d.canary,
          fromVersion: byId.get(d.agentId)?.version ?? null,
          replica: byId.get(d.agentId)?.replica ?? null,
        })),
        plan.rolloutId,
        actor,
        state.artifact!,
      );
      report.dispatched = made.map((d) => d.agentId);
      return report;
    } finally {
      await fleet.store.releaseTick(owner).catch(() => undefined);
      report.durationMs = Date.now() - started;
    }
  }
}

/** The policy fields an audit row compares. */
export function policyOf(p: {
  mode: string;
  percent: number;
  canaries: number;
  haltAfter: number | null;
  halted: boolean;
}): Record<string, unknown> {
  return { mode: p.mode, percent: p.percent, canaries: p.canaries, haltAfter: p.haltAfter, halted: p.halted };
}

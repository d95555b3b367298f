import type { Hello } from './protocol.js';
import type { AuditWrite, FleetStore } from './store.js';
import type { FleetTimings } from './timings.js';
import type { DispatchRecord } from './types.js';

/** The audit row of an upgrade's result. */
export function result(agentId: string, outcome: string, actor: string, detail: Record<string, unknown>): AuditWrite {
  return { action: 'agent.upgrade_result', actor, agentId, detail: { result: outcome, agent: agentId, ...detail } };
}

/**
 * How upgrades end: a hello on the new version confirms one, a hello that says it went back rolls it back, a deadline
 * passed leaves it unconfirmed; each with its `agent.upgrade_result` audit row.
 */
export class Outcomes {
  readonly #store: FleetStore;
  readonly #timings: FleetTimings;
  readonly #changed: (type: string, agentId?: string) => void;

  constructor(store: FleetStore, timings: FleetTimings, changed: (type: string, agentId?: string) => void) {
    this.#store = store;
    this.#timings = timings;
    this.#changed = changed;
  }

  /** What a hello says of the agent's last upgrade: confirmed, rolled back, late, or installed by hand. */
  async reconcile(
    agentId: string,
    hello: Hello,
    known: { dispatchId: string | null; state: string } | null,
  ): Promise<void> {
    // Most hellos concern no upgrade: nothing to read or write for them.
    if (!known || (!known.dispatchId && !hello.lastUpgrade)) return;
    const agent = known;
    if (!agent.dispatchId) {
      if (
        hello.lastUpgrade?.source === 'bundle' &&
        hello.lastUpgrade.result === 'confirmed' &&
        agent.state !== 'confirmed'
      )
        await this.#bundleConfirmed(agentId, hello.version);
      return;
    }
    const [dispatch] = await this.#store.dispatches({ id: agent.dispatchId });
    if (!dispatch) return;
    const active = dispatch.endedAt === null;
    const about = hello.lastUpgrade?.dispatchId === dispatch.id ? hello.lastUpgrade : null;
    if (hello.version === dispatch.toVersion) {
      if (active) await this.end(dispatch, 'confirmed', null, null, `agent:${agentId}`);
      else if (dispatch.state === 'unconfirmed' && agent.state !== 'confirmed')
        await this.#store.agentResult(
          agentId,
          'confirmed',
          null,
          null,
          result(agentId, 'confirmed_late', `agent:${agentId}`, { dispatch: dispatch.id, to: dispatch.toVersion }),
        );
      else if (about?.source === 'bundle') return;
    } else if (active && about && (about.result === 'rolled_back' || about.result === 'failed')) {
      await this.end(dispatch, about.result, about.reason ?? null, about.detail ?? null, `agent:${agentId}`);
    } else if (
      !active &&
      dispatch.state === 'unconfirmed' &&
      about?.result === 'rolled_back' &&
      agent.state === 'unconfirmed'
    ) {
      await this.#store.agentResult(
        agentId,
        'rolled_back',
        about.reason ?? null,
        about.detail ?? null,
        result(agentId, 'rolled_back', `agent:${agentId}`, {
          dispatch: dispatch.id,
          reason: about.reason ?? null,
          late: true,
        }),
      );
    } else if (hello.lastUpgrade?.source === 'bundle' && hello.lastUpgrade.result === 'confirmed') {
      await this.#bundleConfirmed(agentId, hello.version);
    }
  }

  /** An agent that says it runs a version an operator installed from a bundle: confirmed, audited. */
  async #bundleConfirmed(agentId: string, version: string): Promise<void> {
    const audit = result(agentId, 'confirmed', `agent:${agentId}`, { source: 'offline-bundle', to: version });
    await this.#store.agentResult(agentId, 'confirmed', null, { source: 'bundle' }, audit);
  }

  /** Ends a dispatch with a result and its audit row. */
  async end(
    dispatch: DispatchRecord,
    state: 'confirmed' | 'failed' | 'rolled_back' | 'unconfirmed',
    reason: string | null,
    detail: Record<string, unknown> | null,
    actor: string,
  ): Promise<void> {
    const agentState = state === 'failed' && reason === 'no_network' ? 'pending' : state;
    const ended = await this.#store.advance(dispatch.id, state, {
      reason,
      detail,
      agentState,
      audit: result(dispatch.agentId, state, actor, {
        dispatch: dispatch.id,
        rollout: dispatch.rolloutId,
        from: dispatch.fromVersion,
        to: dispatch.toVersion,
        ...(reason ? { reason } : {}),
        ...(detail ? { detail } : {}),
      }),
    });
    if (ended) this.#changed('dispatch', dispatch.agentId);
  }

  /** Ends overdue dispatches as `unconfirmed` (the evaluator calls it each tick). */
  async expire(): Promise<number> {
    const overdue = await this.#store.overdue();
    for (const d of overdue) {
      const reason =
        d.missed === 'ack'
          ? `the agent did not answer the upgrade within ${Math.round(this.#timings.ackWithinMs / 1000)} s`
          : `no hello on ${d.toVersion} within ${Math.round(this.#timings.confirmWithinMs / 1000)} s of the dispatch`;
      await this.end(d, 'unconfirmed', reason, null, 'evaluator');
    }
    return overdue.length;
  }
}

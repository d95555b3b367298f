import { policyOf, type TickReport } from './evaluator-loop.js';
import type { FleetState, FleetStore } from './store.js';
import type { Policy } from './types.js';

/** What an admin's actions need of the fleet server. */
export interface AdminHost {
  readonly store: FleetStore;
  readonly serverVersion: string;
  changed(type: string, agentId?: string): void;
  runNow(actor: string): Promise<TickReport>;
}

/** Changes the policy as `actor`, audited with before and after; a new rollout starts on the next tick. */
export async function changePolicy(host: AdminHost, patch: Partial<Policy>, actor: string): Promise<FleetState> {
  const { after } = await host.store.setPolicy(
    patch,
    (before) => ({
      action: 'agent.upgrade_policy',
      actor,
      detail: { before: policyOf(before), after: policyOf({ ...before, ...patch }) },
    }),
    true,
    actor,
  );
  host.changed('policy');
  return after;
}

/** Halts (nothing more is sent) or resumes the fleet's upgrades as `actor`, audited as a policy change. */
export async function setHalted(host: AdminHost, halted: boolean, actor: string): Promise<FleetState> {
  const { after } = await host.store.setPolicy(
    { halted, haltReason: halted ? `halted by ${actor}` : null },
    (before) => ({
      action: 'agent.upgrade_policy',
      actor,
      detail: { before: policyOf(before), after: { ...policyOf(before), halted } },
    }),
    !halted,
    actor,
  );
  host.changed('policy');
  return after;
}

/** Run now, pressed by `actor`: audited as `agent.upgrade_run`, then one evaluation whose dispatches name them. */
export async function runAs(host: AdminHost, actor: string): Promise<TickReport> {
  const state = await host.store.state();
  await host.store.audit([
    { action: 'agent.upgrade_run', actor, detail: { mode: state.mode, server_version: host.serverVersion } },
  ]);
  return host.runNow(actor);
}

/** Pins or unpins an agent as `actor`, audited; false when there is no such agent. */
export async function pinAgent(
  host: AdminHost,
  agentId: string,
  pinned: boolean,
  reason: string | null,
  actor: string,
): Promise<boolean> {
  const found = await host.store.pin(agentId, pinned, reason, {
    action: 'agent.upgrade_pin',
    actor,
    agentId,
    detail: { agent: agentId, pinned, reason },
  });
  if (found) host.changed('agent', agentId);
  return found;
}

import { createHash } from 'node:crypto';
import { FAILED_STATES, type DispatchRecord, type Policy } from './types.js';

/** An agent as the evaluator weighs it. */
export interface Candidate {
  id: string;
  version: string | null;
  online: boolean;
  pinned: boolean;
  updateSource: 'online' | 'offline';
  /** An upgrade is in flight for it. */
  busy: boolean;
}

/** What one tick sees. */
export interface TickInput {
  policy: Policy;
  serverVersion: string;
  /** The rollout under way and the version it moves to, if any. */
  rollout: { id: string; target: string; baseline: number } | null;
  agents: readonly Candidate[];
  /** Every dispatch of the rollout under way. */
  rolloutDispatches: readonly DispatchRecord[];
  /** A fresh id, should the tick start a rollout. */
  newRolloutId: string;
}

/** What one tick decides. */
export interface TickPlan {
  /** A rollout to start (a new server version, or the first tick of a policy that moves agents). */
  startRollout: { id: string; target: string; baseline: number } | null;
  rolloutId: string | null;
  /** Agents to send the upgrade to now, canaries marked. */
  dispatch: { agentId: string; canary: boolean }[];
  /** Why the rollout must halt now, if it must. */
  halt: string | null;
  /** In flight in the rollout, for the report. */
  inFlight: number;
  /** Left to move after this tick. */
  remaining: number;
}

/** Orders agents the same way on every tick of one rollout (and differently per rollout), so re-ticks never reshuffle. */
export function rolloutOrder(rolloutId: string, ids: readonly string[]): string[] {
  const key = (id: string): string => createHash('sha256').update(`${rolloutId}\0${id}`).digest('hex');
  return [...ids].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Compares dotted versions numerically where they are numbers; > 0 when `a` is newer. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): string[] => v.replace(/^v/, '').split(/[.+-]/);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isFinite(nx) && Number.isFinite(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Behind the server: drift is string inequality, but an agent newer than the server is `ahead` and never downgraded. */
export function isBehind(version: string | null, serverVersion: string): boolean {
  return version !== serverVersion && (version === null || compareVersions(version, serverVersion) < 0);
}

/** How many failed upgrades halt a rollout of `baseline` agents: the policy's number, else 5 %, at least 1. */
export function haltThreshold(policy: Policy, baseline: number): number {
  return policy.haltAfter ?? Math.max(1, Math.ceil(baseline * 0.05));
}

/**
 * One evaluator tick, decided from state alone (idempotent: the same state gives the same plan). Manual and halted
 * fleets dispatch nothing. Auto sends every eligible drifted agent. Staged sends the canaries first, alone, then
 * batches of `percent` of the rollout's baseline, each only once nothing of the rollout is in flight; a failed canary,
 * or failures reaching the threshold, halt it.
 */
export function planTick(input: TickInput): TickPlan {
  const { policy, serverVersion, agents } = input;
  const eligible = (a: Candidate): boolean =>
    a.online && !a.pinned && a.updateSource === 'online' && !a.busy && isBehind(a.version, serverVersion);
  const none: TickPlan = { startRollout: null, rolloutId: null, dispatch: [], halt: null, inFlight: 0, remaining: 0 };
  if (policy.mode === 'manual' || policy.halted) return none;
  let rollout = input.rollout && input.rollout.target === serverVersion ? input.rollout : null;
  let startRollout: TickPlan['startRollout'] = null;
  if (!rollout) {
    const baseline = agents.filter(eligible).length;
    if (baseline === 0) return none;
    rollout = startRollout = { id: input.newRolloutId, target: serverVersion, baseline };
  }
  const dispatches = startRollout ? [] : input.rolloutDispatches;
  const tried = new Set(dispatches.map((d) => d.agentId));
  const inFlight = dispatches.filter((d) => d.endedAt === null).length;
  const failures = dispatches.filter((d) => FAILED_STATES.includes(d.state));
  const failedCanary = failures.find((d) => d.canary);
  const base = { startRollout, rolloutId: rollout.id, inFlight };
  const left = rolloutOrder(
    rollout.id,
    agents.filter((a) => eligible(a) && !tried.has(a.id)).map((a) => a.id),
  );
  if (failedCanary)
    return {
      ...base,
      dispatch: [],
      remaining: left.length,
      halt: `canary ${failedCanary.agentId} ${failedCanary.state.replace('_', ' ')}${failedCanary.reason ? `: ${failedCanary.reason}` : ''}`,
    };
  const threshold = haltThreshold(policy, rollout.baseline);
  if (failures.length >= threshold)
    return {
      ...base,
      dispatch: [],
      remaining: left.length,
      halt: `${failures.length} failed upgrades in the rollout (the threshold is ${threshold})`,
    };
  if (policy.mode === 'auto')
    return { ...base, dispatch: left.map((agentId) => ({ agentId, canary: false })), halt: null, remaining: 0 };
  // Staged: backpressure first; nothing new while any of the rollout is in flight.
  if (inFlight > 0) return { ...base, dispatch: [], halt: null, remaining: left.length };
  const batch = Math.max(1, Math.ceil((rollout.baseline * policy.percent) / 100));
  const canariesDone = dispatches.some((d) => d.canary) || policy.canaries === 0;
  const take = canariesDone ? batch : Math.min(policy.canaries, batch);
  const chosen = left.slice(0, take);
  return {
    ...base,
    dispatch: chosen.map((agentId) => ({ agentId, canary: !canariesDone })),
    halt: null,
    remaining: left.length - chosen.length,
  };
}

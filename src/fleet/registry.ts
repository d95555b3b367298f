import { isBehind } from './evaluator.js';
import type { AgentRow } from './store.js';
import type { AgentRecord, AgentState } from './types.js';

const IN_FLIGHT: Record<string, AgentState> = {
  dispatched: 'dispatched',
  downloading: 'downloading',
  installed: 'installed',
};
const RESULTS = new Set(['failed', 'rolled_back', 'unconfirmed']);

/** True for the states an agent shows while an upgrade is in flight for it. */
export function upgrading(state: string): boolean {
  return Object.hasOwn(IN_FLIGHT, state);
}

/**
 * What a person reads of an agent: an upgrade in flight first; then, on the server's version, `current` (or
 * `confirmed` after an upgrade); newer, `ahead`; behind and air-gapped or offline, `pending`; behind after a failed
 * upgrade, that result with its reason; else `drifted`.
 */
export function shownAgent(row: AgentRow, serverVersion: string, online: boolean): AgentRecord {
  const drift = row.version !== serverVersion;
  let state: AgentState;
  let reason = row.reason;
  if (upgrading(row.state)) state = IN_FLIGHT[row.state]!;
  else if (!drift) state = row.state === 'confirmed' ? 'confirmed' : 'current';
  else if (row.version !== null && !isBehind(row.version, serverVersion)) state = 'ahead';
  else if (row.updateSource === 'offline') {
    state = 'pending';
    reason = 'air-gapped: install the offline bundle';
  } else if (row.state === 'pending') state = 'pending';
  else if (RESULTS.has(row.state)) state = row.state as AgentState;
  else if (!online) {
    state = 'pending';
    reason = 'offline';
  } else state = 'drifted';
  return {
    id: row.id,
    host: row.host,
    version: row.version,
    commit: row.commit,
    os: row.os,
    arch: row.arch,
    group: row.group,
    protocol: row.protocol,
    updateSource: row.updateSource,
    pinned: row.pinned,
    pinReason: row.pinReason,
    online,
    drift,
    state,
    reason: state === 'current' || state === 'drifted' ? null : reason,
    detail: row.detail,
    dispatchId: row.dispatchId,
    enrolledAt: new Date(row.enrolledAt).toISOString(),
    lastSeen: row.lastSeenAgoMs === null ? null : new Date(Date.now() - row.lastSeenAgoMs).toISOString(),
  };
}

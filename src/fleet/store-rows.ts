import type { Row } from '../drivers/types.js';
import type { Artifact, DispatchRecord, DispatchState, Policy, PolicyMode } from './types.js';

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

/** A JSON column as an object; null when empty or not JSON. */
export const json = (value: unknown): Record<string, unknown> | null => {
  if (value === null || value === undefined || value === '') return null;
  try {
    return JSON.parse(String(value)) as Record<string, unknown>;
  } catch {
    return null;
  }
};
/** Epoch ms as ISO text. */
export const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The state row as read. */
export function stateOf(r: Row): FleetState {
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

/** An agent row as read. */
export function agentOf(r: Row): AgentRow {
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

/** A dispatch row as read. */
export function dispatchOf(r: Row): DispatchRecord {
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

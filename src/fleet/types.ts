/** How the fleet moves drifted agents: an admin upgrades each (`manual`), all at once (`auto`), or a share per tick. */
export type PolicyMode = 'manual' | 'auto' | 'staged';

/** The fleet-wide upgrade policy. */
export interface Policy {
  mode: PolicyMode;
  /** Staged: the share of the rollout's drifted agents sent an upgrade per batch, 1–100 (default 10). */
  percent: number;
  /** Staged: how many agents go first, alone, and must confirm before any other is sent (default 3). */
  canaries: number;
  /** How many failed upgrades in one rollout halt it; null: 5 % of the rollout's agents, at least 1. */
  haltAfter: number | null;
  /** True once a canary or the failure threshold stopped the rollout; only an admin resumes it. */
  halted: boolean;
  haltReason: string | null;
}

/** The agent build for the server's version: where agents download it and how they check it. */
export interface Artifact {
  version: string;
  url: string;
  sha256: string;
  size: number;
  /** Base64 ed25519 signature of `signedText(...)`, for fleets whose agents hold a public key. */
  signature?: string;
}

/** Where one upgrade sent to an agent is: in flight, or how it ended. */
export type DispatchState =
  | 'queued'
  | 'sent'
  | 'accepted'
  | 'downloading'
  | 'installed'
  | 'confirmed'
  | 'failed'
  | 'rolled_back'
  | 'unconfirmed'
  | 'cancelled';

/** The states of a dispatch still in flight. */
export const ACTIVE_STATES: readonly DispatchState[] = ['queued', 'sent', 'accepted', 'downloading', 'installed'];

/** The results that count as failures toward a halt. */
export const FAILED_STATES: readonly DispatchState[] = ['failed', 'rolled_back', 'unconfirmed'];

/**
 * What the fleet shows of an agent: on the server's version (`current`), behind it (`drifted`), newer (`ahead`, never
 * downgraded), behind but offline or air-gapped (`pending`), an upgrade in flight, or the last upgrade's result.
 */
export type AgentState =
  | 'current'
  | 'drifted'
  | 'ahead'
  | 'pending'
  | 'dispatched'
  | 'downloading'
  | 'installed'
  | 'confirmed'
  | 'failed'
  | 'rolled_back'
  | 'unconfirmed';

/** One agent as the registry holds it. */
export interface AgentRecord {
  id: string;
  host: string | null;
  version: string | null;
  commit: string | null;
  os: string | null;
  arch: string | null;
  group: string | null;
  /** The envelope version agreed in its last hello. */
  protocol: number | null;
  /** `offline`: it cannot download (air-gapped) and is upgraded by hand with a bundle. */
  updateSource: 'online' | 'offline';
  pinned: boolean;
  pinReason: string | null;
  /** Connected to some replica, and heard of recently. */
  online: boolean;
  /** Its version differs from the server's. */
  drift: boolean;
  state: AgentState;
  /** Why the last upgrade failed or was rolled back, or why it is pending. */
  reason: string | null;
  detail: Record<string, unknown> | null;
  dispatchId: string | null;
  enrolledAt: string;
  lastSeen: string | null;
}

/** One upgrade sent to one agent. */
export interface DispatchRecord {
  id: string;
  agentId: string;
  rolloutId: string | null;
  canary: boolean;
  fromVersion: string | null;
  toVersion: string;
  artifact: Artifact;
  /** Who sent it: an admin's name, or `evaluator`. */
  actor: string;
  state: DispatchState;
  reason: string | null;
  detail: Record<string, unknown> | null;
  createdAt: string;
  endedAt: string | null;
}

/** One row of the append-only audit log. */
export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  actor: string;
  agentId: string | null;
  detail: Record<string, unknown>;
}

/** Filters of the audit log; every one optional. */
export interface AuditFilter {
  action?: string;
  agent?: string;
  actor?: string;
  /** ISO time or epoch ms: from (inclusive). */
  since?: string | number;
  until?: string | number;
  limit?: number;
}

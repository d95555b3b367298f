import type { VersionRange } from '../envelope/index.js';
import type { Artifact } from './types.js';

/**
 * The fleet protocol's envelope versions. 1: hello, welcome, upgrade, upgrade.status, error. 2 adds
 * `upgrade.progress` (bytes downloaded). A server speaks both, so agents one version behind keep working.
 */
export const FLEET_PROTOCOL: VersionRange = { min: 1, max: 2 };

/** Close codes of the fleet's WebSocket beyond the envelope's own (4000–4004). */
export const FLEET_CLOSE = {
  /** The first message was not a hello. */
  helloFirst: 4010,
  /** Another connection of the same agent took over. */
  replaced: 4011,
  /** The agent was forgotten (its credential revoked) while connected. */
  revoked: 4012,
  /** The server drains (1001, as browsers use for "going away"). */
  goingAway: 1001,
} as const;

/** What an agent says on every connect. */
export interface Hello {
  agentId: string;
  version: string;
  commit?: string | null;
  host?: string;
  os?: string;
  arch?: string;
  group?: string | null;
  /** `offline`: it cannot download; the fleet shows it pending and an operator installs a bundle. */
  updateSource?: 'online' | 'offline';
  /** The envelope versions it speaks. */
  protocols: VersionRange;
  /** How its last upgrade ended, as it knows it (a rolled-back agent reports it here). */
  lastUpgrade?: {
    dispatchId: string | null;
    result: string;
    reason?: string;
    detail?: Record<string, unknown>;
    source?: string;
  };
}

/** The server's answer to a hello. */
export interface Welcome {
  protocol: number;
  serverVersion: string;
  agentId: string;
}

/** An upgrade sent to an agent. */
export interface UpgradeOrder extends Artifact {
  dispatchId: string;
  /** How long the new version has to connect and confirm before the agent returns to the old one. */
  confirmWithinMs: number;
}

/** An agent's word on an upgrade it was sent. */
export interface UpgradeStatus {
  dispatchId: string;
  state: 'accepted' | 'downloading' | 'installed' | 'failed' | 'rolled_back';
  reason?: string;
  detail?: Record<string, unknown>;
}

/** The text an artifact's ed25519 signature covers: what it is, for which version, its hash and size. */
export function signedText(artifact: Pick<Artifact, 'version' | 'sha256' | 'size'>): Buffer {
  return Buffer.from(`molt-agent-artifact/1\n${artifact.version}\n${artifact.sha256}\n${artifact.size}\n`);
}

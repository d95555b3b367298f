// moltkit/fleet: the server agents connect to (registry, policy, evaluator, dispatch, audit, JSON API) and the agent
// library (hello, verified self-upgrade with socket hand-over, rollback). `ws` loads only when a socket opens.
export { openFleet, type OpenFleetOptions } from './open.js';
export { changePolicy, pinAgent, runAs, setHalted, type AdminHost } from './admin-actions.js';
export { policyPatch } from './api.js';
export { FleetServer, type FleetServerOptions, type FleetTimings } from './server.js';
export type { TickReport } from './evaluator-loop.js';
export {
  planTick,
  rolloutOrder,
  compareVersions,
  isBehind,
  haltThreshold,
  type TickInput,
  type TickPlan,
  type Candidate,
} from './evaluator.js';
export { startAgent, type Agent, type AgentOptions } from './agent.js';
export { installBundle, createBundle, type BundleManifest } from './bundle.js';
export {
  ArtifactError,
  checkArtifact,
  generateSigningKeys,
  hashFile,
  signArtifact,
  DEFAULT_MAX_ARTIFACT_BYTES,
  type ArtifactProblem,
} from './artifact.js';
export { readInstall, ENTRY_FILE, type InstallState, type UpgradeMarker } from './install-dir.js';
export {
  FLEET_PROTOCOL,
  FLEET_CLOSE,
  signedText,
  type Hello,
  type Welcome,
  type UpgradeOrder,
  type UpgradeStatus,
} from './protocol.js';
export type * from './types.js';

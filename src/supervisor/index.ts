export { adoptSocket, bindSocket, type BoundSocket } from './bound-socket.js';
export { CONTROL_SOCKET, controlClient, serveControl, type ControlClient } from './control.js';
export { InstanceProcess, type InstanceExit, type InstanceInfo, type InstanceState } from './instance-process.js';
export { readRelease, RELEASE_FILE, type ProcessType, type Readiness, type Release } from './release.js';
export { CURRENT_FILE, readCurrent, runSupervisor, type RunningSupervisor, type RunOptions } from './run.js';
export {
  startSupervisor,
  Supervisor,
  type ReplaceReport,
  type SupervisorOptions,
  type SupervisorStatus,
} from './supervisor.js';
export { ask, soak, waitReady, type ProbeTarget, type ReadyOutcome } from './readiness.js';

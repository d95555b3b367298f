export { createLifecycle, Lifecycle, WEBSOCKET_DRAIN_REASON, WEBSOCKET_GOING_AWAY } from './lifecycle.js';
export { listen, inheritedSocket, SD_LISTEN_FDS_START, type ListenOptions, type Listening } from './listen.js';
export {
  budgetMs,
  DEFAULT_ABORT_GRACE_MS,
  DEFAULT_DRAIN_DELAY_MS_KUBERNETES,
  DEFAULT_DRAIN_DELAY_MS_LOCAL,
  DEFAULT_GRACE_MS,
  DEFAULT_HOOK_TIMEOUT_MS,
  DEFAULT_HOOKS_TOTAL_MS,
  DEFAULT_IDLE_GRACE_MS,
} from './options.js';
export { endLine, forcedParts } from './report.js';
export type { DrainableServer } from './server-tracker.js';
export type {
  CloseHookOptions,
  DrainParticipant,
  DrainReport,
  LifecycleOptions,
  LifecycleSettings,
  Phase,
  SignalOptions,
  StepReport,
  StepStatus,
  WebSocketLike,
  WebSocketServerLike,
} from './types.js';

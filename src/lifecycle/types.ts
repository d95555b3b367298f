import type { LoggerOption } from '../runtime/index.js';

/** Where a service is in its life: probes read this, so readiness turns 503 the moment draining starts. */
export type Phase = 'starting' | 'ready' | 'draining' | 'stopped';

/** Budget and behaviour of the drain; every duration is in milliseconds. */
export interface LifecycleOptions {
  /**
   * How long to keep serving at least after draining starts, so load balancers see the 503 before the listener
   * closes. Default 5000 under Kubernetes (`KUBERNETES_SERVICE_HOST` set), else 0; 0 on an inherited socket.
   * Set alone, it is a fixed delay.
   */
  drainDelayMs?: number;
  /**
   * The longest the propagation delay waits, while something polls `/readyz`, for a 503 to have been served and the
   * traffic to stop. Default 9000, 0 on an inherited socket (`molt run`, systemd), the value of `drainDelayMs`
   * when only that is set.
   */
  drainDelayMaxMs?: number;
  /** How long in-flight requests, WebSockets and participants get once the listener closes. Default 15000. */
  graceMs?: number;
  /** How long a keep-alive socket must have been idle before it is closed, so a pooled socket is not cut as it is reused. Default 1000. */
  idleGraceMs?: number;
  /** How long participants get, after their signal aborts at the deadline, to hand back unfinished work before close hooks run. Default 1000. */
  abortGraceMs?: number;
  /** Default timeout of one close hook. Default 3000. */
  hookTimeoutMs?: number;
  /** Time all close hooks share. Default 5000. */
  hooksTotalMs?: number;
  /** The runtime's kill timeout (Kubernetes `terminationGracePeriodSeconds`, Compose `stop_grace_period`), to warn when the budget exceeds it. */
  killTimeoutMs?: number;
  /** Where the drain's lines go. Default: stderr. */
  logger?: LoggerOption;
}

/** The options with every default filled in. */
export interface LifecycleSettings {
  drainDelayMs: number;
  drainDelayMaxMs: number;
  graceMs: number;
  idleGraceMs: number;
  abortGraceMs: number;
  hookTimeoutMs: number;
  hooksTotalMs: number;
  killTimeoutMs: number | undefined;
}

/** Something that drains beside in-flight requests, such as a worker pool; the signal aborts at the grace deadline. */
export interface DrainParticipant {
  name: string;
  drain(signal: AbortSignal): Promise<void>;
}

/** A WebSocket client as `ws` and similar libraries shape it. */
export interface WebSocketLike {
  close(code?: number, reason?: string): void;
  terminate?(): void;
}

/** A WebSocket server as `ws` shapes it: only its live clients are needed. */
export interface WebSocketServerLike {
  clients: Iterable<WebSocketLike>;
}

/** Options of one close hook. */
export interface CloseHookOptions {
  /** This hook's own timeout; default the lifecycle's `hookTimeoutMs`. */
  timeoutMs?: number;
}

/** How one participant or close hook ended. */
export type StepStatus = 'ok' | 'failed' | 'timeout' | 'skipped';

/** One participant's or close hook's outcome. */
export interface StepReport {
  name: string;
  /** `timeout`: still running at its deadline; `skipped`: a close hook the total budget left no time for. */
  status: StepStatus;
  ms: number;
  error?: string;
}

/** What a drain did, and whether anything had to be forced. */
export interface DrainReport {
  reason: string;
  /** True when a request, socket, WebSocket, participant or close hook had to be cut or failed. */
  forced: boolean;
  durationMs: number;
  /** Requests that settled during the drain: finished, cut at the deadline, or given up by their client. */
  requests: { completed: number; forced: number; aborted: number };
  /** Keep-alive sockets idle from the stop that closed gently (idle grace, keep-alive timeout or their client), and sockets destroyed at the deadline. */
  sockets: { idleClosed: number; destroyed: number };
  /** WebSocket clients sent close 1001, and those still open at the deadline and terminated. */
  webSockets: { closed: number; terminated: number };
  participants: StepReport[];
  hooks: StepReport[];
}

/** Options of `handleSignals()`. */
export interface SignalOptions {
  /** Called once the drain ends (0 clean, 1 forced) or at a second signal (1). Default `process.exit`. */
  exit?: (code: number, report?: DrainReport) => void;
  /** Where the drain's lines go; default the lifecycle's logger. */
  logger?: LoggerOption;
  /** Signals that start the drain. Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
}

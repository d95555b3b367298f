import { messageOf, MoltError } from '../errors.js';
import { toLogger, type Logger } from '../runtime/index.js';
import { runCloseHooks, type CloseHook } from './close-hooks.js';
import { budgetWarning, checkDuration, resolveSettings } from './options.js';
import { ParticipantRun } from './participants.js';
import { endLine, forcedParts, startLine } from './report.js';
import { ServerTracker, type DrainableServer } from './server-tracker.js';
import type {
  CloseHookOptions,
  DrainParticipant,
  DrainReport,
  LifecycleOptions,
  LifecycleSettings,
  Phase,
  SignalOptions,
  StepReport,
  WebSocketServerLike,
} from './types.js';

/** Close code WebSocket clients receive when the server drains (RFC 6455 "going away"). */
export const WEBSOCKET_GOING_AWAY = 1001;
/** Close reason WebSocket clients receive when the server drains. */
export const WEBSOCKET_DRAIN_REASON = 'server is draining';

// Where a drain is; each step only moves forward.
const SERVING = 0;
const DELAY = 1;
const GRACE = 2;
const ABORTING = 3;
const CLOSING = 4;
const DONE = 5;
/** A readiness answer at most this old means something polls it. */
const POLLER_RECENT_MS = 30_000;

/**
 * Creates the lifecycle of one service process: starting, ready, draining, stopped.
 *
 * @example
 * const life = createLifecycle();
 * life.attach(server);
 * life.onClose('database', () => pool.end());
 * life.handleSignals();
 * server.listen(3000, () => life.markReady());
 */
export function createLifecycle(options: LifecycleOptions = {}): Lifecycle {
  return new Lifecycle(options);
}

/** Phases, tracked servers, participants and close hooks of one process, and the drain that ends it. */
export class Lifecycle {
  /** The resolved budget: every option with its default filled in. */
  readonly settings: Readonly<LifecycleSettings>;
  #phase: Phase = 'starting';
  #stage = SERVING;
  #log: Logger;
  readonly #trackers = new Map<DrainableServer, ServerTracker>();
  readonly #webSocketServers = new Set<WebSocketServerLike>();
  readonly #participants: DrainParticipant[] = [];
  readonly #runs: ParticipantRun[] = [];
  readonly #hooks: CloseHook[] = [];
  readonly #observers = new Set<(reason: string) => void>();
  readonly #abort = new AbortController();
  readonly #webSockets = { closed: 0, terminated: 0 };
  #drain?: Promise<DrainReport>;
  #reason = '';
  #exitOnEnd = false;
  #wake?: () => void;
  #uninstallSignals?: () => void;
  // What the adaptive propagation delay watches: readiness answers and the arrival of real traffic.
  readonly #probePaths = new Set<string>();
  #readinessPolls: number[] = [];
  #unreadyServed = false;
  #lastTrafficAt = 0;

  constructor(options: LifecycleOptions = {}) {
    this.settings = Object.freeze(resolveSettings(options));
    this.#log = toLogger(options.logger);
    const warning = budgetWarning(this.settings);
    if (warning) this.#log.info(warning);
  }

  /** The current phase; readiness probes answer 503 unless it is `ready`. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Startup has finished: the phase moves from `starting` to `ready` (never back from draining). */
  markReady(): void {
    if (this.#phase === 'starting') this.#phase = 'ready';
  }

  /** True once the drain has started, and after it ended. */
  isDraining(): boolean {
    return this.#phase === 'draining' || this.#phase === 'stopped';
  }

  /** Tracks a server's connections, in-flight requests and upgraded sockets; attach before it listens. */
  attach(server: DrainableServer): this {
    this.#refuseFrom(CLOSING, 'attach a server');
    if (this.#trackers.has(server)) return this;
    const tracker = new ServerTracker(server, this.#changed, this.#arrived);
    this.#trackers.set(server, tracker);
    if (this.#stage >= DELAY) tracker.beginDrain();
    if (this.#stage >= GRACE) tracker.stop(this.settings.idleGraceMs, this.#idleCap());
    return this;
  }

  /** Closes this WebSocket server's clients with 1001 when the listener closes, and terminates them at the deadline. */
  addWebSocketServer(server: WebSocketServerLike): this {
    this.#refuseFrom(CLOSING, 'add a WebSocket server');
    this.#webSocketServers.add(server);
    if (this.#stage >= GRACE) this.#closeWebSockets(server);
    return this;
  }

  /** Registers something that drains beside in-flight requests, such as a worker pool; it starts draining with the drain. */
  register(participant: DrainParticipant): this {
    if (typeof participant?.name !== 'string' || participant.name === '' || typeof participant.drain !== 'function') {
      throw new MoltError('CONFIG_INVALID', 'a drain participant needs a name and a drain(signal) function', {
        hint: "Pass { name: 'workers', drain: (signal) => pool.drain(signal) }",
      });
    }
    this.#refuseFrom(ABORTING, `register participant "${participant.name}"`);
    this.#participants.push(participant);
    if (this.#stage >= DELAY) this.#runs.push(new ParticipantRun(participant, this.#abort.signal, this.#changed));
    return this;
  }

  /** Adds a close hook; hooks run after requests and participants, in reverse registration order, each with its own timeout. */
  onClose(name: string, fn: () => Promise<void> | void, options: CloseHookOptions = {}): this {
    if (typeof fn !== 'function') throw new MoltError('CONFIG_INVALID', `close hook "${name}" is not a function`);
    const timeoutMs =
      options.timeoutMs === undefined ? this.settings.hookTimeoutMs : checkDuration('timeoutMs', options.timeoutMs);
    this.#refuseFrom(CLOSING, `add close hook "${name}"`);
    this.#hooks.push({ name, fn, timeoutMs });
    return this;
  }

  /** Calls `fn(reason)` the moment draining starts (at once when it already has); returns a function that unsubscribes. */
  onDraining(fn: (reason: string) => void): () => void {
    if (this.#stage >= DELAY) fn(this.#reason);
    else this.#observers.add(fn);
    return () => void this.#observers.delete(fn);
  }

  /** Names request paths that are probes, not traffic (the probes call this); the drain delay waits for traffic only. */
  probePaths(paths: Iterable<string>): this {
    for (const path of paths) this.#probePaths.add(path);
    return this;
  }

  /** Notes that `/readyz` was answered (the probes call this), so the drain delay knows something routes by it. */
  readinessServed(ready: boolean): void {
    const now = Date.now();
    this.#readinessPolls = [...this.#readinessPolls.slice(-4), now];
    if (!ready && this.#stage >= DELAY) this.#unreadyServed = true;
    this.#changed();
  }

  /** Drains and resolves what happened; never exits. Calling it again returns the same promise. */
  drain(reason = 'requested'): Promise<DrainReport> {
    this.#drain ??= this.#run(reason);
    return this.#drain;
  }

  /**
   * SIGTERM and SIGINT start the drain, then `exit(0)` when it was clean or `exit(1)` when something was forced;
   * a second signal exits 1 at once. Returns a function that removes the handlers.
   */
  handleSignals(options: SignalOptions = {}): () => void {
    const exit = options.exit ?? ((code: number) => process.exit(code));
    if (options.logger !== undefined) this.#log = toLogger(options.logger);
    this.#uninstallSignals?.();
    let received = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++received > 1) {
        this.#log.info(`second ${signal} during the drain, exit 1 at once`);
        exit(1);
        return;
      }
      this.#exitOnEnd = true;
      this.drain(signal).then(
        (report) => exit(report.forced ? 1 : 0, report),
        (error: unknown) => {
          this.#log.info(`drain failed: ${messageOf(error)}, exit 1`);
          exit(1);
        },
      );
    };
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    for (const signal of signals) process.on(signal, onSignal);
    this.#uninstallSignals = () => {
      for (const signal of signals) process.off(signal, onSignal);
    };
    return this.#uninstallSignals;
  }

  async #run(reason: string): Promise<DrainReport> {
    const started = Date.now();
    const { drainDelayMs, graceMs, idleGraceMs, abortGraceMs, hooksTotalMs } = this.settings;
    // Everything up to the first await runs inside the drain() call: probes see `draining` before it returns.
    this.#phase = 'draining';
    this.#stage = DELAY;
    this.#reason = reason;
    for (const observer of this.#observers) {
      try {
        observer(reason);
      } catch (error) {
        this.#log.info(`a draining observer failed: ${messageOf(error)}`);
      }
    }
    const delayCap = this.#pollerSeen(started) ? this.settings.drainDelayMaxMs : drainDelayMs;
    this.#log.info(startLine(reason, this.settings, delayCap));
    for (const tracker of this.#trackers.values()) tracker.beginDrain();
    for (const participant of this.#participants)
      this.#runs.push(new ParticipantRun(participant, this.#abort.signal, this.#changed));

    await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
    if (delayCap > drainDelayMs) {
      // Something routes by readiness: keep accepting until it has been told (a 503 went out) and has acted on
      // it (the traffic stopped), so nothing it still sends here meets a closed listener or a reset backlog.
      const quietMs = this.#quietMs();
      await this.#until(() => this.#unreadyServed && Date.now() - this.#lastTrafficAt >= quietMs, started + delayCap);
    }
    this.#stage = GRACE;
    for (const tracker of this.#trackers.values()) tracker.stop(idleGraceMs, this.#idleCap());
    for (const server of this.#webSocketServers) this.#closeWebSockets(server);

    const clean = await this.#until(() => this.#quiet(), Date.now() + graceMs);
    this.#stage = ABORTING;
    if (!clean) {
      this.#abort.abort(new MoltError('DRAIN_DEADLINE', `the drain's grace period of ${graceMs} ms has passed`));
      for (const run of this.#runs) run.timedOut();
      this.#terminateWebSockets();
      for (const tracker of this.#trackers.values()) tracker.destroyAll();
      // Aborted participants get a moment to hand back their work before the close hooks close what they need.
      await this.#until(() => this.#runs.every((run) => run.settled), Date.now() + abortGraceMs);
    }

    this.#stage = CLOSING;
    const hooks = await runCloseHooks(this.#hooks, hooksTotalMs, this.#log);
    this.#stage = DONE;
    this.#phase = 'stopped';
    const report = this.#report(reason, started, hooks);
    this.#log.info(endLine(report, this.#exitOnEnd ? (report.forced ? 1 : 0) : undefined));
    return report;
  }

  /** True when `/readyz` was answered within the last 30 s before `now`: a load balancer or orchestrator polls it. */
  #pollerSeen(now: number): boolean {
    const last = this.#readinessPolls.at(-1);
    return last !== undefined && now - last <= POLLER_RECENT_MS;
  }

  /** How long without traffic counts as stopped: the readiness poll interval seen, between 250 ms and 2 s. */
  #quietMs(): number {
    const polls = this.#readinessPolls;
    const interval = polls.length > 1 ? (polls.at(-1)! - polls[0]!) / (polls.length - 1) : 1_000;
    return Math.min(2_000, Math.max(250, interval));
  }

  /** Idle sockets are closed gently a quarter second before the grace deadline at the latest, never destroyed idle. */
  #idleCap(): number {
    return Math.max(0, this.settings.graceMs - 250);
  }

  #arrived = (path: string): void => {
    if (!this.#probePaths.has(path)) this.#lastTrafficAt = Date.now();
  };

  /** Nothing left to wait for: no socket open, every participant settled, no WebSocket client left. */
  #quiet(): boolean {
    for (const tracker of this.#trackers.values()) if (!tracker.idle) return false;
    for (const server of this.#webSocketServers) if (!server.clients[Symbol.iterator]().next().done) return false;
    return this.#runs.every((run) => run.settled);
  }

  /** Waits until `done()` holds (true) or the deadline passes (false). */
  async #until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Trackers and participants wake this at once; the short poll is for WebSocket servers, which send no event.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return true;
  }

  #changed = (): void => this.#wake?.();

  #closeWebSockets(server: WebSocketServerLike): void {
    for (const client of [...server.clients]) {
      try {
        client.close(WEBSOCKET_GOING_AWAY, WEBSOCKET_DRAIN_REASON);
        this.#webSockets.closed++;
      } catch (error) {
        this.#log.info(`closing a WebSocket failed: ${messageOf(error)}`);
      }
    }
  }

  #terminateWebSockets(): void {
    for (const server of this.#webSocketServers) {
      for (const client of [...server.clients]) {
        this.#webSockets.terminated++;
        client.terminate?.();
      }
    }
  }

  #report(reason: string, started: number, hooks: StepReport[]): DrainReport {
    const trackers = [...this.#trackers.values()];
    const sum = (key: keyof ServerTracker['counts']): number => trackers.reduce((total, t) => total + t.counts[key], 0);
    const report: DrainReport = {
      reason,
      forced: false,
      durationMs: Date.now() - started,
      requests: { completed: sum('completed'), forced: sum('forced'), aborted: sum('aborted') },
      sockets: { idleClosed: sum('idleClosed'), destroyed: sum('destroyed') },
      webSockets: { ...this.#webSockets },
      participants: this.#runs.map((run) => ({ ...run.report })),
      hooks,
    };
    report.forced = forcedParts(report).length > 0;
    return report;
  }

  #refuseFrom(stage: number, what: string): void {
    if (this.#stage < stage) return;
    throw new MoltError('LIFECYCLE_STOPPED', `cannot ${what}: the drain is already past that step`, {
      hint: 'Set up servers, participants and close hooks at startup, before the drain begins',
    });
  }
}

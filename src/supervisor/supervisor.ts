import { MoltError } from '../errors.js';
import { toLogger, type Logger, type LoggerOption } from '../runtime/index.js';
import { inheritedSockets } from '../lifecycle/listen.js';
import { adoptSocket, bindSocket, type BoundSocket } from './bound-socket.js';
import { InstanceProcess, type InstanceInfo } from './instance-process.js';
import { openGate, soak, targetOf, waitReady } from './readiness.js';
import type { ProcessType, Release } from './release.js';

/** Options of `startSupervisor`. */
export interface SupervisorOptions {
  /** The release to run. */
  release: Release;
  /** The port of the shared socket; 0 picks one. */
  port: number;
  /** The address to bind; default all interfaces. */
  host?: string;
  /** Instance counts that override the release's, by process type. */
  instances?: Record<string, number>;
  /** The environment instances start with; default this process's. */
  env?: NodeJS.ProcessEnv;
  logger?: LoggerOption;
  /** Called when the current release changes, to persist it. */
  onCurrent?: (release: Release) => void;
}

/** How replacing one slot went. */
export interface ReplaceReport {
  /** `web.1`. */
  instance: string;
  status: 'replaced' | 'started' | 'unchanged' | 'failed';
  from: string | null;
  to: string;
  /** The step that failed (`ready`, `serve`, `soak`) and what it saw. */
  failedAt: 'ready' | 'serve' | 'soak' | null;
  reason: string | null;
  pid: number | null;
  /** When the new instance started. */
  startedAt: string;
  /** When the instance it replaced had exited, drained; null when there was none, or it failed. */
  oldExitedAt: string | null;
  ms: number;
}

/** What `molt run` holds: its socket, its current release and every instance. */
export interface SupervisorStatus {
  pid: number;
  host: string;
  port: number;
  current: { version: string; dir: string };
  instances: (InstanceInfo & { restarts: number })[];
}

interface Slot {
  type: string;
  index: number;
  release: Release;
  instance: InstanceProcess | null;
  /** Crashes in a row, for the backoff; reset once an instance has run for a while. */
  crashes: number;
  restarts: number;
  /** The replacement running on this slot, if one is. */
  replacing?: Promise<void>;
  timer?: NodeJS.Timeout;
}

/** An instance that ran at least this long before it crashed restarts without waiting. */
const STABLE_MS = 30_000;
const BACKOFF_MS = 500;
const BACKOFF_MAX_MS = 30_000;

/**
 * Starts the supervisor: binds the shared socket and starts every process type's instances of the release.
 * @example
 * const supervisor = await startSupervisor({ release: readRelease('./releases/1.0.0'), port: 8080 });
 * await supervisor.replace('web', 1, readRelease('./releases/2.0.0'));
 */
export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const supervisor = new Supervisor(options);
  await supervisor.start();
  return supervisor;
}

/** Holds the listening socket and runs, restarts and replaces the instances that share it. */
export class Supervisor {
  readonly socket: BoundSocket;
  readonly #log: Logger;
  readonly #env: NodeJS.ProcessEnv;
  readonly #slots = new Map<string, Slot>();
  readonly #counts: Record<string, number>;
  #current: Release;
  #stopping = false;
  readonly #onCurrent: (release: Release) => void;

  constructor(options: SupervisorOptions) {
    this.#log = toLogger(options.logger);
    this.#current = options.release;
    this.#counts = options.instances ?? {};
    this.#onCurrent = options.onCurrent ?? (() => {});
    for (const name of Object.keys(this.#counts)) this.#typeOf(options.release, name);
    // Under systemd socket activation the socket is passed in (LISTEN_FDS); otherwise molt run binds its own.
    const sockets = inheritedSockets();
    const passed = sockets.get('http') ?? [...sockets.values()][0];
    this.socket = passed === undefined ? bindSocket(options.host ?? '0.0.0.0', options.port) : adoptSocket(passed);
    const env = { ...(options.env ?? process.env) };
    for (const key of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES']) delete env[key];
    this.#env = { ...env, PORT: String(this.socket.port) };
  }

  /** The release new slots and restarts after a supervisor restart use. */
  get current(): Release {
    return this.#current;
  }

  /** Starts every instance of the current release and waits for each to be ready (or to have failed, and retry). */
  async start(): Promise<void> {
    const release = this.#current;
    this.#log.info(
      `run: ${release.version} from ${release.dir} on ${this.socket.host}:${this.socket.port}: ${release.processes
        .map((t) => `${this.#count(t)} ${t.name}`)
        .join(', ')}`,
    );
    const starts: Promise<unknown>[] = [];
    for (const type of release.processes) {
      for (let index = 1; index <= this.#count(type); index++) {
        const slot: Slot = { type: type.name, index, release, instance: null, crashes: 0, restarts: 0 };
        this.#slots.set(`${type.name}.${index}`, slot);
        starts.push(this.#launch(slot));
      }
    }
    await Promise.all(starts);
  }

  /** Records the release restarts and new slots use from now on. */
  setCurrent(release: Release): void {
    this.#current = release;
    this.#onCurrent(release);
    this.#log.info(`run: current release is now ${release.version} (${release.dir})`);
  }

  /**
   * Replaces one slot's instance with one of `release`, start-first: the new instance starts, must get ready and
   * report the release's version, takes the shared socket, stays ready for the soak; only then does the old one
   * drain. If any of that fails, the new instance is stopped and the old one serves on, untouched.
   */
  async replace(
    typeName: string,
    index: number,
    release: Release,
    waits: { readyTimeoutMs?: number; soakMs?: number } = {},
  ): Promise<ReplaceReport> {
    const type = this.#typeOf(release, typeName);
    const key = `${typeName}.${index}`;
    // A replacement still running (one an orchestrator that died had asked for) finishes first; this one then
    // starts from what it left.
    while (this.#slots.get(key)?.replacing) await this.#slots.get(key)!.replacing;
    let slot = this.#slots.get(key);
    const started = Date.now();
    const from = slot?.instance && slot.instance.state !== 'exited' ? slot.release.version : null;
    if (slot && from === release.version && slot.release.dir === release.dir) {
      return {
        instance: key,
        status: 'unchanged',
        from,
        to: release.version,
        failedAt: null,
        reason: null,
        pid: slot.instance!.pid,
        startedAt: slot.instance!.info().startedAt,
        oldExitedAt: null,
        ms: 0,
      };
    }
    slot ??= { type: typeName, index, release, instance: null, crashes: 0, restarts: 0 };
    this.#slots.set(key, slot);
    let finished = (): void => undefined;
    slot.replacing = new Promise<void>((resolve) => (finished = resolve));
    clearTimeout(slot.timer);
    try {
      const next = this.#spawn(type, index, release);
      const report = (
        status: ReplaceReport['status'],
        failedAt: ReplaceReport['failedAt'],
        reason: string | null,
        oldExitedAt: string | null = null,
      ): ReplaceReport => ({
        instance: key,
        status,
        from,
        to: release.version,
        failedAt,
        reason,
        pid: next.pid,
        startedAt: next.info().startedAt,
        oldExitedAt,
        ms: Date.now() - started,
      });
      const ready = await waitReady(targetOf(next), waits.readyTimeoutMs ?? release.readyTimeoutMs);
      if (!ready.ok) return this.#abandon(next, report('failed', 'ready', ready.reason));
      const gate = await openGate(next);
      if (gate) return this.#abandon(next, report('failed', 'serve', gate));
      next.markReady();
      const soaked = await soak(targetOf(next), waits.soakMs ?? release.soakMs);
      if (soaked) return this.#abandon(next, report('failed', 'soak', soaked));
      const old = slot.instance;
      slot.instance = next;
      slot.release = release;
      slot.crashes = 0;
      this.#watch(slot, next);
      if (old && old.state !== 'exited') {
        this.#log.info(
          `run: ${key} ${release.version} (pid ${next.pid}) is ready; draining ${old.spec.release.version} (pid ${old.pid})`,
        );
        await old.stop();
        return report('replaced', null, null, new Date().toISOString());
      }
      this.#log.info(`run: ${key} ${release.version} (pid ${next.pid}) is ready`);
      return report(old ? 'replaced' : 'started', null, null);
    } finally {
      slot.replacing = undefined;
      finished();
    }
  }

  /** Drains one slot's instance and removes the slot (a type the new release runs fewer of, or no longer has). */
  async retire(typeName: string, index: number): Promise<void> {
    const key = `${typeName}.${index}`;
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#slots.delete(key);
    clearTimeout(slot.timer);
    this.#log.info(`run: retiring ${key}`);
    await slot.instance?.stop();
  }

  /** Every instance and where the supervisor stands. */
  status(): SupervisorStatus {
    return {
      pid: process.pid,
      host: this.socket.host,
      port: this.socket.port,
      current: { version: this.#current.version, dir: this.#current.dir },
      instances: [...this.#slots.values()]
        .filter((slot) => slot.instance)
        .map((slot) => ({ ...slot.instance!.info(), restarts: slot.restarts })),
    };
  }

  /** Drains every instance at once, then lets go of the socket. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const slots = [...this.#slots.values()];
    for (const slot of slots) clearTimeout(slot.timer);
    await Promise.all(slots.map((slot) => slot.instance?.stop()));
    this.socket.close();
  }

  #count(type: ProcessType): number {
    return this.#counts[type.name] ?? type.instances;
  }

  #typeOf(release: Release, name: string): ProcessType {
    const type = release.processes.find((t) => t.name === name);
    if (!type) {
      throw new MoltError('CONFIG_INVALID', `release ${release.version} has no process type "${name}"`, {
        hint: `Its types: ${release.processes.map((t) => t.name).join(', ')}`,
        details: { release: release.dir },
      });
    }
    return type;
  }

  #spawn(type: ProcessType, index: number, release: Release): InstanceProcess {
    return new InstanceProcess({
      type,
      slot: index,
      release,
      socket: type.serves ? this.socket : null,
      env: this.#env,
      log: this.#log,
    });
  }

  /** Starts a slot's instance on its release and brings it into service; a failure is retried with backoff. */
  async #launch(slot: Slot): Promise<void> {
    if (this.#stopping) return;
    const instance = this.#spawn(this.#typeOf(slot.release, slot.type), slot.index, slot.release);
    slot.instance = instance;
    this.#watch(slot, instance);
    const ready = await waitReady(targetOf(instance), slot.release.readyTimeoutMs);
    const gate = ready.ok ? await openGate(instance) : ready.reason;
    if (gate === null) {
      instance.markReady();
      this.#log.info(`run: ${instance.name} ${slot.release.version} (pid ${instance.pid}) is ready`);
    } else if (slot.instance === instance && !this.#stopping) {
      this.#log.info(`run: ${instance.name} ${slot.release.version}: ${gate}`);
      await instance.stop();
      this.#restartLater(slot, instance, `it was not ready`);
    }
  }

  /** Restarts the slot when its current instance exits on its own. */
  #watch(slot: Slot, instance: InstanceProcess): void {
    void instance.exited.then((exit) => {
      if (instance.stopRequested) return;
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      this.#restartLater(slot, instance, `exited with ${how} after ${(exit.ranMs / 1000).toFixed(1)} s`);
    });
  }

  /** Starts the slot again after a backoff that doubles with each crash in a row (0.5 s up to 30 s). */
  #restartLater(slot: Slot, instance: InstanceProcess, why: string): void {
    const key = `${slot.type}.${slot.index}`;
    if (this.#stopping || slot.instance !== instance || slot.replacing || this.#slots.get(key) !== slot) return;
    const ranMs = instance.info().exit?.ranMs ?? 0;
    slot.crashes = ranMs >= STABLE_MS ? 1 : slot.crashes + 1;
    slot.restarts++;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (slot.crashes - 1));
    this.#log.info(
      `run: ${key} ${slot.release.version} (pid ${instance.pid}) ${why}; restarting in ${(delay / 1000).toFixed(1)} s (restart ${slot.restarts})`,
    );
    slot.timer = setTimeout(() => void this.#launch(slot), delay);
  }

  async #abandon(next: InstanceProcess, report: ReplaceReport): Promise<ReplaceReport> {
    this.#log.info(
      `run: ${report.instance} ${report.to} (pid ${next.pid}) failed at ${report.failedAt}: ${report.reason}; the old instance serves on`,
    );
    await next.stop();
    return report;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROBE_SOCKET_NAME } from '../lifecycle/listen.js';
import type { Logger } from '../runtime/index.js';
import { bindSocket, type BoundSocket } from './bound-socket.js';
import type { ProcessType, Release } from './release.js';

/** Where an instance is: started and not yet ready, ready, asked to drain, or gone. */
export type InstanceState = 'starting' | 'ready' | 'draining' | 'exited';

/** How an instance ended. */
export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** How long it ran. */
  ranMs: number;
}

/** What the supervisor reports of one instance. */
export interface InstanceInfo {
  /** `web.1`: the type and slot, stable across restarts and replacements. */
  name: string;
  type: string;
  slot: number;
  pid: number | null;
  version: string;
  release: string;
  state: InstanceState;
  /** The private port its probes answer on, for this one instance. */
  probePort: number;
  startedAt: string;
  exit: InstanceExit | null;
}

/** Everything one instance needs to start. */
export interface InstanceSpec {
  type: ProcessType;
  slot: number;
  release: Release;
  /** The shared listening socket, for a type that serves it. */
  socket: BoundSocket | null;
  /** The environment the supervisor passes on. */
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * One child process of a release: it inherits the shared socket (for a serving type) and a private probe socket,
 * after the systemd convention, and its output goes to the supervisor's stderr, each line prefixed with its name.
 */
export class InstanceProcess {
  readonly spec: InstanceSpec;
  readonly probePort: number;
  readonly exited: Promise<InstanceExit>;
  readonly #child: ChildProcess;
  readonly #started = Date.now();
  #state: InstanceState = 'starting';
  #exit: InstanceExit | null = null;
  #stopRequested = false;

  constructor(spec: InstanceSpec) {
    this.spec = spec;
    const { type, release, socket } = spec;
    const probe = bindSocket('127.0.0.1', 0);
    this.probePort = probe.port;
    const fds = socket ? [socket.fd, probe.fd] : [probe.fd];
    const names = socket ? ['http', PROBE_SOCKET_NAME] : [PROBE_SOCKET_NAME];
    const [program, ...args] = type.command;
    try {
      this.#child = spawn(program === 'node' ? process.execPath : program!, args, {
        cwd: release.dir,
        stdio: ['ignore', 'pipe', 'pipe', ...fds],
        // Its own process group: a Ctrl-C at the terminal (or `timeout`) reaches the supervisor alone, which drains
        // each instance once, instead of every instance seeing the signal twice.
        detached: true,
        env: {
          ...spec.env,
          ...type.env,
          LISTEN_FDS: String(fds.length),
          LISTEN_FDNAMES: names.join(':'),
          MOLT_INSTANCE_NAME: this.name,
          MOLT_RELEASE_DIR: release.dir,
        },
      });
    } finally {
      // The child holds its own copy from here on: when it exits, its probe port closes with it.
      probe.close();
    }
    const child = this.#child;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) =>
        spec.log.info(`${this.name} ${release.version} | ${line}`),
      );
    }
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        spec.log.info(`${this.name}: cannot start ${type.command.join(' ')}: ${error.message}`);
      });
      child.once('close', (code, signal) => {
        this.#state = 'exited';
        this.#exit = { code, signal, ranMs: Date.now() - this.#started };
        resolve(this.#exit);
      });
    });
  }

  /** `web.1`. */
  get name(): string {
    return `${this.spec.type.name}.${this.spec.slot}`;
  }

  get state(): InstanceState {
    return this.#state;
  }

  /** True once the supervisor asked it to stop: its exit is no crash. */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  /** Marks it ready (the supervisor saw its probes pass). */
  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /** SIGTERM, then SIGKILL once its grace (and a margin for the close hooks) has passed; resolves when it is gone. */
  async stop(): Promise<InstanceExit> {
    this.#stopRequested = true;
    if (this.#exit) return this.#exit;
    this.#state = 'draining';
    this.#child.kill('SIGTERM');
    const killAfter = this.spec.type.graceMs + 10_000;
    const timer = setTimeout(() => {
      this.spec.log.info(`${this.name}: still running ${killAfter / 1000} s after SIGTERM, SIGKILL`);
      this.#child.kill('SIGKILL');
    }, killAfter);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Ends it at once (SIGKILL): for a new instance that failed its checks. */
  kill(): Promise<InstanceExit> {
    this.#stopRequested = true;
    if (!this.#exit) this.#child.kill('SIGKILL');
    return this.exited;
  }

  info(): InstanceInfo {
    return {
      name: this.name,
      type: this.spec.type.name,
      slot: this.spec.slot,
      pid: this.pid,
      version: this.spec.release.version,
      release: this.spec.release.dir,
      state: this.#state,
      probePort: this.probePort,
      startedAt: new Date(this.#started).toISOString(),
      exit: this.#exit,
    };
  }
}

import { messageOf } from '../errors.js';
import { type Compatibility } from '../migrate/internal.js';
import { redactUrl } from '../config/url.js';
import type { Logger } from '../runtime/index.js';
import type { DatabaseProbe } from './database-probe.js';
import type { Timings } from './options.js';

/** What the last background checks found; requests read this and never touch the database. */
export interface DatabaseState {
  /** The database counts as answering, after hysteresis. */
  up: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the last check started (ISO); null before the first one finished. */
  checkedAt: string | null;
  /** How long the last passing check took, in ms. */
  latencyMs: number | null;
  /** The last check's error; null when it passed. */
  error: string | null;
  /** The schema as the last passing check read it; null when not judged or not read yet. */
  compatibility: Compatibility | null;
  compatibilityAt: string | null;
}

/**
 * Runs a database probe in the background, one check at a time, and keeps the verdict with
 * hysteresis: unready after `failuresToUnready` failures in a row, ready after `successesToReady`
 * passes, so one slow query does not pull every instance out of rotation at once.
 */
export class DatabaseMonitor {
  readonly #probe: DatabaseProbe;
  readonly #timings: Timings;
  readonly #log: Logger;
  #state: DatabaseState = {
    up: false,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    checkedAt: null,
    latencyMs: null,
    error: null,
    compatibility: null,
    compatibilityAt: null,
  };
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(probe: DatabaseProbe, timings: Timings, log: Logger) {
    this.#probe = probe;
    this.#timings = timings;
    this.#log = log;
  }

  /** The current verdict. */
  get state(): Readonly<DatabaseState> {
    return this.#state;
  }

  /** Starts checking now and then every interval; the timer never keeps the process alive. */
  start(): void {
    this.#tick();
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#running = this.#check().finally(() => {
      this.#running = null;
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#tick(), this.#timings.checkIntervalMs);
      this.#timer.unref();
    });
  }

  async #check(): Promise<void> {
    const startedAt = new Date();
    const t = this.#timings;
    const before = this.#state;
    let next: DatabaseState;
    try {
      const compatibility = await this.#probe.run(t.queryTimeoutMs);
      const successes = before.consecutiveSuccesses + 1;
      next = {
        up: before.up || successes >= t.successesToReady,
        consecutiveFailures: 0,
        consecutiveSuccesses: successes,
        checkedAt: startedAt.toISOString(),
        latencyMs: Date.now() - startedAt.getTime(),
        error: null,
        compatibility: compatibility ?? before.compatibility,
        compatibilityAt: compatibility ? startedAt.toISOString() : before.compatibilityAt,
      };
    } catch (error) {
      const failures = before.consecutiveFailures + 1;
      next = {
        ...before,
        up: before.up && failures < t.failuresToUnready,
        consecutiveFailures: failures,
        consecutiveSuccesses: 0,
        checkedAt: startedAt.toISOString(),
        latencyMs: null,
        error: redactUrl(messageOf(error)),
      };
    }
    if (this.#stopped) return;
    this.#state = next;
    if (next.up !== before.up || (before.checkedAt === null && !next.up)) {
      if (next.up) this.#log.info('readiness: the database answers');
      else
        this.#log.warn(
          `readiness: the database check failed ${next.consecutiveFailures} time(s) in a row: ${next.error}`,
        );
    }
    const was = before.compatibility;
    const now = next.compatibility;
    if (now && (!was || was.compatible !== now.compatible || was.reason !== now.reason) && (now.reason || was)) {
      if (now.compatible) this.#log.info(`readiness: the schema is compatible${now.reason ? `: ${now.reason}` : ''}`);
      else this.#log.warn(`readiness: the schema is not compatible: ${now.reason}`);
    }
  }

  /** Stops checking, waits for a check under way, and closes the probe's connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
    await this.#probe.close();
  }
}

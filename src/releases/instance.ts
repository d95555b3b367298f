import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MoltError, messageOf } from '../errors.js';
import type { Session } from '../drivers/types.js';
import type { Phase } from '../lifecycle/index.js';
import {
  blockersOf,
  historyOn,
  idOf,
  judgeCompatibility,
  knowledgeOf,
  openContext,
  type CommonOptions,
  type HeldBack,
  type History,
  type InstanceState,
  type InstancesTable,
  type RunContext,
} from '../migrate/internal.js';
import { COMMIT_ENV, openSession } from '../runtime/index.js';

/** What an instance follows: a molt lifecycle, or anything with its phase, drain and close hooks. */
export interface LifecycleLike {
  readonly phase: Phase;
  /** Called when the drain begins: the row says draining at once instead of at the next beat. */
  onDraining?(fn: (reason: string) => void): () => void;
  /** Where the instance removes its row at a clean exit; without it, call `leave()`. */
  onClose?(name: string, fn: () => Promise<void> | void): unknown;
}

/** Options of `registerInstance`. */
export interface InstanceOptions extends CommonOptions {
  /** The lifecycle to follow: serving once it is ready, draining when its drain begins, removed when it closes. */
  lifecycle?: LifecycleLike;
  /** What people call this instance; default `MOLT_INSTANCE_NAME`, else the host name. */
  name?: string;
  /** The commit the release was built from; default `COMMIT_SHA`, `GIT_COMMIT` or `SOURCE_COMMIT`. */
  commit?: string | null;
  /** Contract migrations the boot left waiting for live instances of an older release (the report's `heldBack`). */
  waiting?: readonly HeldBack[];
  /**
   * Runs the deferred migrations once nothing live blocks them; returns what still waits. The boot path passes the
   * engine with its hooks, so the run is the boot's own: under the lock, exactly once across replicas.
   */
  applyDeferred?: () => Promise<readonly HeldBack[]>;
}

/** One registered instance of this process. */
export interface Instance {
  readonly id: string;
  /** False while molt's tables do not exist yet (nothing migrated this database): it registers once they do. */
  readonly registered: boolean;
  readonly state: InstanceState;
  /** Contract migrations this instance will apply once no live instance of an older release is left. */
  readonly waiting: readonly HeldBack[];
  /** Heartbeats now, and applies the deferred migrations when they may run; the timer calls it. */
  beat(): Promise<void>;
  /** Stops the heartbeat and removes the row: a clean exit. */
  leave(): Promise<void>;
}

/** How long a crashed instance's row stays visible (as stale) before a registering instance deletes it. */
export const PURGE_AFTER_MS = 60 * 60 * 1000;

const STATE_OF: Record<Phase, InstanceState> = {
  starting: 'starting',
  ready: 'serving',
  draining: 'draining',
  stopped: 'draining',
};

const commitFromEnv = (): string | null =>
  COMMIT_ENV.map((name) => process.env[name]?.trim()).find((value) => value) ?? null;

/**
 * Registers this process as a live instance of its release: a row in molt's instances table with what its release
 * knows, heartbeated on a timer (the database's clock judges staleness), draining when its lifecycle drains, removed
 * at a clean exit. While a contract migration waits for instances of an older release, each heartbeat checks them, and
 * once none is live this instance applies it (when serving). The boot `migrate` calls it; services rarely need to.
 * @example
 * const instance = await registerInstance({ dir: './migrations', lifecycle: life });
 * console.log(instance.id, instance.state);
 */
export async function registerInstance(options: InstanceOptions = {}): Promise<Instance> {
  return (await joinInstance(options)).instance;
}

// One instance per process and history: the boot `migrate` and the probes of one service are one instance.
const joined = new Map<string, Promise<Registered>>();

/** What an instance needs before it registers: its settings, its own connection, and the history on it. */
export interface InstanceConnection {
  ctx: RunContext;
  session: Session;
  history: History;
}

/**
 * Opens an instance's settings and connection ahead of registering, so the boot can open them while it migrates
 * (the connection's handshake overlaps the migration's own waits). `joinInstance` takes it, or closes it if unused.
 */
export async function connectInstance(
  options: InstanceOptions = {},
  when: { early?: boolean } = {},
): Promise<InstanceConnection | null> {
  const ctx = await openContext({ ...options, onOpen: undefined });
  // Where the lock is the database's write lock (SQLite), opening costs nothing, and a setting that waited for the
  // migration running in this very process would stall it: such a connection opens when it is used.
  if (when.early && ctx.driver.capabilities.writeLockTransaction) return null;
  // `writes: false` only means the database is never created here: the probes of a mistyped SQLite path must not
  // make an empty file. The instances table is written all the same. Where the migration lock is the database's
  // write lock (SQLite), a write waits for a migration to end, as long as a migration may wait for the lock.
  const session = await openSession(ctx, { writes: false, waitMs: ctx.config.lockTimeoutMs });
  try {
    return { ctx, session, history: await historyOn(ctx, session) };
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The process's instance for the configured database and history, registered now unless it already is; `created`
 * says whether this call registered it (and so owns its `leave`). A later caller's deferred work is added to it.
 * `connection` is one `connectInstance` opened earlier for these options; a failed one is opened again.
 */
export async function joinInstance(
  options: InstanceOptions = {},
  connection?: Promise<InstanceConnection | null>,
): Promise<{ instance: Instance; created: boolean }> {
  // An early connection can fail where a later one works (a server that was still starting): it is opened again.
  const opened = (await connection?.catch(() => null)) ?? (await connectInstance(options))!;
  const key = `${opened.ctx.driver.displayUrl}\0${opened.ctx.config.table}`;
  const existing = joined.get(key);
  if (existing) {
    await opened.session.close().catch(() => undefined);
    const instance = await existing;
    instance.adopt(options);
    return { instance, created: false };
  }
  const { ctx, session, history } = opened;
  const starting = new Registered(ctx, session, history, options, () => joined.delete(key))
    .start()
    .catch(async (error: unknown) => {
      // Between steps the session lets the process exit: held again, so the close finishes and the error surfaces.
      session.keepAlive?.(true);
      await session.close().catch(() => undefined);
      throw error;
    });
  joined.set(key, starting);
  starting.catch(() => joined.delete(key));
  return { instance: await starting, created: true };
}

class Registered implements Instance {
  readonly id = randomUUID();
  state: InstanceState;
  waiting: readonly HeldBack[];
  readonly #ctx: RunContext;
  readonly #session: Session;
  readonly #history: History;
  readonly #table: InstancesTable;
  readonly #options: InstanceOptions;
  readonly #forget: () => void;
  #lifecycle: LifecycleLike | undefined;
  #applyDeferred: InstanceOptions['applyDeferred'];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();
  #failing = false;
  #left = false;
  registered = false;

  constructor(ctx: RunContext, session: Session, history: History, options: InstanceOptions, forget: () => void) {
    this.#ctx = ctx;
    this.#session = session;
    this.#history = history;
    this.#table = history.instances();
    this.#options = options;
    this.#forget = forget;
    this.waiting = [];
    this.state = 'starting';
    this.adopt(options);
  }

  /** Takes over what a later caller brings: its lifecycle when there was none, its deferred work and how to run it. */
  adopt(options: InstanceOptions): void {
    if (options.lifecycle && !this.#lifecycle) {
      const life = options.lifecycle;
      this.#lifecycle = life;
      life.onDraining?.(() => void this.#queue(() => this.#beatOnce()));
      life.onClose?.('instance', () => this.leave());
    }
    if (options.applyDeferred) {
      this.#applyDeferred = options.applyDeferred;
      this.waiting = (options.waiting ?? []).filter((h) => h.waitsFor);
    }
    // Without a lifecycle nothing says when serving starts: the instance serves once it has booted.
    this.state = this.#lifecycle ? STATE_OF[this.#lifecycle.phase] : 'serving';
  }

  async start(): Promise<this> {
    await this.#queue(() => this.#register(PURGE_AFTER_MS));
    if (this.registered) await this.#queue(() => this.#confirmFits());
    this.#schedule();
    return this;
  }

  /**
   * A contract migration decided before this row was visible may be running now. Once no migration holds the lock,
   * the history is read again: a process whose release it would break leaves and refuses, never serves.
   */
  async #confirmFits(): Promise<void> {
    const ctx = this.#ctx;
    // Where the lock is the database's write lock, the registration's own write already waited for it to end.
    if (!ctx.driver.capabilities.writeLockTransaction) {
      const deadline = Date.now() + ctx.config.lockTimeoutMs;
      while (Date.now() < deadline && (await this.#session.isLocked(this.#history.lockKey))) await sleep(100);
    }
    const fits = judgeCompatibility(ctx.migrations, await this.#history.read());
    if (fits.unknownContract.length === 0) return;
    await this.#end();
    throw new MoltError('DRIFT', fits.reason!, {
      hint: 'A contract migration of a newer release ran while this process started; start that release instead',
      details: { unknownContract: fits.unknownContract },
    });
  }

  /** Registers; where molt's tables do not exist yet, leaves it to a later beat (once something migrated). */
  async #register(purgeAfterMs?: number): Promise<void> {
    try {
      await this.#write(purgeAfterMs);
      this.registered = true;
    } catch (error) {
      if (!this.#ctx.driver.sql.isMissingTable(error)) throw error;
    }
  }

  async #write(purgeAfterMs?: number): Promise<void> {
    const ctx = this.#ctx;
    await this.#table.register(
      {
        id: this.id,
        name: this.#options.name ?? process.env.MOLT_INSTANCE_NAME ?? ctx.host,
        host: ctx.host,
        pid: process.pid,
        appVersion: ctx.appVersion,
        commit: this.#options.commit ?? commitFromEnv(),
        knows: knowledgeOf(ctx.migrations),
        state: this.state,
        ttlMs: ctx.config.instanceTtlMs,
      },
      purgeAfterMs,
    );
  }

  #schedule(): void {
    if (this.#left) return;
    this.#timer = setTimeout(() => void this.beat().finally(() => this.#schedule()), this.#ctx.config.heartbeatMs);
    this.#timer.unref();
  }

  /**
   * Runs one step after the ones before it, so a beat never overlaps another or the leave. Between steps the session
   * lets the process exit, so a script that called `migrate` ends when its work does.
   */
  #queue(step: () => Promise<void>): Promise<void> {
    const held = async (): Promise<void> => {
      this.#session.keepAlive?.(true);
      try {
        await step();
      } finally {
        if (!this.#left) this.#session.keepAlive?.(false);
      }
    };
    this.#running = this.#running.then(held, held);
    return this.#running;
  }

  beat(): Promise<void> {
    return this.#queue(async () => {
      await this.#beatOnce();
      if (this.waiting.length > 0 && this.state === 'serving' && !this.#left) await this.#applyWhenFree();
    });
  }

  async #beatOnce(): Promise<void> {
    if (this.#left) return;
    const life = this.#lifecycle;
    if (life) this.state = STATE_OF[life.phase];
    try {
      if (!this.registered) return await this.#register(PURGE_AFTER_MS);
      const present = await this.#table.beat(this.id, this.state, this.#ctx.config.instanceTtlMs);
      // Purged while this process could not reach the database for an hour: it is live, so it says so again.
      if (!present) await this.#write();
      if (this.#failing) this.#ctx.log.info(`instance ${this.id}: heartbeat written again`);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#ctx.log.warn(`instance ${this.id}: heartbeat failed: ${messageOf(error)}`);
      this.#failing = true;
    }
  }

  /** Applies the deferred contract migrations once no live instance of an older release would break. */
  async #applyWhenFree(): Promise<void> {
    if (!this.#applyDeferred) return;
    try {
      const live = await this.#table.list();
      if (this.waiting.some((h) => blockersOf({ id: idOf(h), phase: h.phase }, live).length > 0)) return;
      this.#ctx.log.info(
        `no instance of an older release is live any more: applying ${this.waiting.map(idOf).join(', ')}`,
      );
      this.waiting = (await this.#applyDeferred()).filter((h) => h.waitsFor);
    } catch (error) {
      this.#ctx.log.warn(`instance ${this.id}: deferred migrations not applied yet: ${messageOf(error)}`);
    }
  }

  leave(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    return this.#queue(() => this.#end());
  }

  /** Removes the row and closes the connection, once; a step of the queue (a clean exit, or a refused start). */
  async #end(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    this.#forget();
    try {
      if (this.registered) await this.#table.remove(this.id);
    } catch (error) {
      this.#ctx.log.warn(`instance ${this.id}: could not remove its row (it goes stale instead): ${messageOf(error)}`);
    } finally {
      await this.#session.close().catch(() => undefined);
    }
  }
}

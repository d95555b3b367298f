import { randomUUID } from 'node:crypto';
import { messageOf } from '../errors.js';
import type { Session } from '../drivers/types.js';
import type { DrainParticipant, Phase } from '../lifecycle/index.js';
import {
  blockersOf,
  idOf,
  instancesTable,
  knowledgeOf,
  openContext,
  type CommonOptions,
  type HeldBack,
  type InstanceState,
  type InstancesTable,
  type RunContext,
} from '../migrate/internal.js';
import { COMMIT_ENV, openSession } from '../runtime/index.js';

/** What an instance follows: a molt lifecycle, or anything with its phase, drain and close hooks. */
export interface LifecycleLike {
  readonly phase: Phase;
  onDraining(fn: (reason: string) => void): () => void;
  onClose(name: string, fn: () => Promise<void> | void): unknown;
  register?(participant: DrainParticipant): unknown;
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
  const ctx = await openContext({ ...options, onOpen: undefined });
  const session = await openSession(ctx, { writes: true, waitMs: ctx.config.heartbeatMs });
  try {
    return await new Registered(ctx, session, await instancesTable(ctx, session), options).start();
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}

class Registered implements Instance {
  readonly id = randomUUID();
  state: InstanceState;
  waiting: readonly HeldBack[];
  readonly #ctx: RunContext;
  readonly #session: Session;
  readonly #table: InstancesTable;
  readonly #options: InstanceOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();
  #failing = false;
  #left = false;

  constructor(ctx: RunContext, session: Session, table: InstancesTable, options: InstanceOptions) {
    this.#ctx = ctx;
    this.#session = session;
    this.#table = table;
    this.#options = options;
    this.waiting = (options.waiting ?? []).filter((h) => h.waitsFor);
    // Without a lifecycle nothing says when serving starts: the instance serves once it has booted.
    this.state = options.lifecycle ? STATE_OF[options.lifecycle.phase] : 'serving';
  }

  async start(): Promise<this> {
    await this.#queue(() => this.#register(PURGE_AFTER_MS));
    const life = this.#options.lifecycle;
    if (life) {
      life.onDraining(() => void this.#queue(() => this.#beatOnce()));
      life.onClose('instance', () => this.leave());
    }
    this.#schedule();
    return this;
  }

  async #register(purgeAfterMs?: number): Promise<void> {
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
    const life = this.#options.lifecycle;
    if (life) this.state = STATE_OF[life.phase];
    try {
      const present = await this.#table.beat(this.id, this.state, this.#ctx.config.instanceTtlMs);
      // Purged while this process could not reach the database for an hour: it is live, so it says so again.
      if (!present) await this.#register();
      if (this.#failing) this.#ctx.log.info(`instance ${this.id}: heartbeat written again`);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#ctx.log.warn(`instance ${this.id}: heartbeat failed: ${messageOf(error)}`);
      this.#failing = true;
    }
  }

  /** Applies the deferred contract migrations once no live instance of an older release would break. */
  async #applyWhenFree(): Promise<void> {
    try {
      const live = await this.#table.list();
      if (this.waiting.some((h) => blockersOf({ id: idOf(h), phase: h.phase }, live).length > 0)) return;
      if (!this.#options.applyDeferred) return;
      this.#ctx.log.info(
        `no instance of an older release is live any more: applying ${this.waiting.map(idOf).join(', ')}`,
      );
      this.waiting = (await this.#options.applyDeferred()).filter((h) => h.waitsFor);
    } catch (error) {
      this.#ctx.log.warn(`instance ${this.id}: deferred migrations not applied yet: ${messageOf(error)}`);
    }
  }

  leave(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    return this.#queue(async () => {
      if (this.#left) return;
      this.#left = true;
      try {
        await this.#table.remove(this.id);
      } catch (error) {
        this.#ctx.log.warn(
          `instance ${this.id}: could not remove its row (it goes stale instead): ${messageOf(error)}`,
        );
      } finally {
        await this.#session.close().catch(() => undefined);
      }
    });
  }
}

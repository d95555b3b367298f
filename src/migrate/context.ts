import { hostname } from 'node:os';
import { MoltError, messageOf } from '../errors.js';
import { redactUrl } from '../config/url.js';
import { resolveConfig, type ConfigInput, type MoltConfig } from '../config/config.js';
import { createDriver } from '../drivers/index.js';
import type { Driver, Session } from '../drivers/types.js';
import { appVersionFrom, MOLT_VERSION } from '../version.js';
import { History } from './history.js';
import { acquireLock, announceHolder, describeHolder } from './lock.js';
import { loadMigrations, type MigrationBundle } from './set.js';
import type { Migration } from './migration.js';

/** Where molt writes its log lines; `false` silences it. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

/** Options every library call takes: the shared settings plus where migrations come from. */
export interface CommonOptions extends ConfigInput {
  /** Migrations embedded in the service, instead of `dir`. */
  bundle?: MigrationBundle;
  /** The service's version, recorded with each migration; defaults to package.json in `cwd`. */
  appVersion?: string | null;
  /** Base directory for relative paths and molt.config.json. */
  cwd?: string;
  logger?: Logger | false;
  signal?: AbortSignal;
  /** Runs once the configuration is resolved, before any connection: boot finishes an interrupted restore here. */
  onOpen?: (config: MoltConfig, log: Logger) => Promise<void>;
}

/** Log lines to stderr, prefixed so they stand out in a service's output. */
export const stderrLogger: Logger = {
  info: (line) => process.stderr.write(`molt: ${redactUrl(line)}\n`),
  warn: (line) => process.stderr.write(`molt: warning: ${redactUrl(line)}\n`),
};
const silent: Logger = { info: () => undefined, warn: () => undefined };

/** Everything one library call needs, opened once. */
export interface RunContext {
  config: MoltConfig;
  driver: Driver;
  migrations: Migration[];
  log: Logger;
  appVersion: string | null;
  moltVersion: string;
  host: string;
  /** Aborts waits (for the database, for the lock) on Ctrl-C. */
  signal?: AbortSignal;
}

/** Resolves settings and reads the migration set; file errors surface before any connection. */
export async function openContext(options: CommonOptions, needMigrations = true): Promise<RunContext> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveConfig(options, { cwd });
  const migrations = needMigrations
    ? loadMigrations(options.bundle ? { bundle: options.bundle } : { dir: config.dir })
    : [];
  const driver = await createDriver(config.db);
  const log = options.logger === false ? silent : (options.logger ?? stderrLogger);
  await options.onOpen?.(config, log);
  return {
    config,
    driver,
    migrations,
    log,
    appVersion:
      options.appVersion !== undefined ? options.appVersion : (process.env.MOLT_APP_VERSION ?? appVersionFrom(cwd)),
    moltVersion: MOLT_VERSION,
    host: hostname(),
    signal: options.signal,
  };
}

/** Applies the configured session settings; a value the database refuses names the setting. */
async function applySettings(ctx: RunContext, session: Session): Promise<void> {
  for (const [name, value] of Object.entries(ctx.config.session)) {
    try {
      await session.exec(ctx.driver.sql.setting(name, value));
    } catch (cause) {
      throw new MoltError(
        'CONFIG_INVALID',
        `Session setting ${name}=${value} was refused by the database: ${messageOf(cause)}`,
        {
          cause,
          hint: 'Fix or remove it in --set, MOLT_SESSION or "session" in molt.config.json',
        },
      );
    }
  }
}

/**
 * Connects, and while the server is not there yet (refused, unknown host, starting up) keeps trying for
 * `waitForDatabaseMs`, saying so every few seconds, so a Compose boot waits for its database instead of crash-looping.
 * `connect` opens the session: the driver's own by default, a maintenance database's for `create-database`.
 */
export async function connectWaiting(
  ctx: RunContext,
  options: { create?: boolean; waitMs?: number } = {},
  connect: (options: { create?: boolean; waitMs?: number }) => Promise<Session> = (o) => ctx.driver.connect(o),
): Promise<Session> {
  const until = Date.now() + ctx.config.waitForDatabaseMs;
  let said = 0;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await connect(options);
    } catch (error) {
      const transient =
        error instanceof MoltError && error.code === 'CONNECT_FAILED' && error.details.transient === true;
      if (!transient || Date.now() + delay > until) throw error;
      if (Date.now() - said >= 5_000) {
        said = Date.now();
        ctx.log.info(`waiting for the database (${Math.ceil((until - Date.now()) / 1000)} s left): ${error.message}`);
      }
      ctx.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Where the session puts unqualified tables, so molt's own can be named in full; null where that means nothing. */
async function schemaOf(ctx: RunContext, session: Session): Promise<string | null> {
  const scope = ctx.driver.sql.sessionScope;
  if (!scope || ctx.config.table.includes('.')) return null;
  const [row] = await session.query<{ s: string | null }>(scope.schema);
  return row?.s ?? null;
}

/** Runs `work` on a fresh session with the history bound, and always closes the session. */
export async function withSession<T>(
  ctx: RunContext,
  work: (session: Session, history: History) => Promise<T>,
  options: { writes: boolean } = { writes: true },
): Promise<T> {
  const session = await connectWaiting(ctx, { create: options.writes, waitMs: ctx.config.lockTimeoutMs });
  try {
    await applySettings(ctx, session);
    if (options.writes)
      await session.setTimeouts({
        lockTimeoutMs: ctx.config.statementLockTimeoutMs,
        statementTimeoutMs: ctx.config.statementTimeoutMs,
      });
    return await work(session, new History(session, ctx.driver.sql, ctx.config.table, await schemaOf(ctx, session)));
  } finally {
    await session.close();
  }
}

/**
 * Runs `work` holding the migration lock, with molt's tables created or moved forward and the
 * holder row written; releases the lock however `work` ends.
 */
export async function withLock<T>(
  ctx: RunContext,
  session: Session,
  history: History,
  work: () => Promise<T>,
  signal?: AbortSignal,
  since = Date.now(),
): Promise<T> {
  const release = await acquireLock(ctx.driver, session, history, {
    // The timeout counts from `since`: time already spent waiting on the database (a read behind a writer) is part of it.
    timeoutMs: ctx.config.lockTimeoutMs,
    startedAt: since,
    appVersion: ctx.appVersion,
    moltVersion: ctx.moltVersion,
    signal,
    onWait: (holder, waited) =>
      ctx.log.info(`waiting for the migration lock${describeHolder(holder)}: ${Math.round(waited / 1000)} s so far`),
  });
  try {
    await history.ensure();
    await announceHolder(ctx.driver, history, ctx);
    return await work();
  } finally {
    await release();
  }
}

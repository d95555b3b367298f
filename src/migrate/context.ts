import { resolveConfig } from '../config/config.js';
import type { Session } from '../drivers/types.js';
import { openRuntime, openSession, type Runtime, type RuntimeOptions } from '../runtime/index.js';
import { History, type HistoryRow } from './history.js';
import type { InstancesTable } from './instances-table.js';
import { acquireLock, announceHolder, describeHolder } from './lock.js';
import { loadMigrations, type MigrationBundle } from './set.js';
import type { Migration } from './migration.js';

/** Options every migration call takes: the runtime's settings plus where migrations come from. */
export interface CommonOptions extends RuntimeOptions {
  /** Migrations embedded in the service, instead of `dir`. */
  bundle?: MigrationBundle;
}

/** A runtime with the migration set read: what one migration call needs, opened once. */
export interface RunContext extends Runtime {
  migrations: Migration[];
}

/** Resolves settings and reads the migration set; file errors surface before any connection. */
export async function openContext(options: CommonOptions, needMigrations = true): Promise<RunContext> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveConfig(options, { cwd });
  // The files are read before the driver loads, so a bad file is named before anything else can fail.
  const migrations = needMigrations
    ? loadMigrations(options.bundle ? { bundle: options.bundle } : { dir: config.dir })
    : [];
  return { ...(await openRuntime(options, config)), migrations };
}

/** Where the session puts unqualified tables, so molt's own can be named in full; null where that means nothing. */
async function schemaOf(ctx: Runtime, session: Session): Promise<string | null> {
  const scope = ctx.driver.sql.sessionScope;
  if (!scope || ctx.config.table.includes('.')) return null;
  const [row] = await session.query<{ s: string | null }>(scope.schema);
  return row?.s ?? null;
}

/** Runs `work` on a fresh session with the history bound, and always closes the session. */
export async function withSession<T>(
  ctx: Runtime,
  work: (session: Session, history: History) => Promise<T>,
  options: { writes: boolean } = { writes: true },
): Promise<T> {
  const session = await openSession(ctx, {
    writes: options.writes,
    waitMs: ctx.config.lockTimeoutMs,
    timeouts: options.writes
      ? { lockTimeoutMs: ctx.config.statementLockTimeoutMs, statementTimeoutMs: ctx.config.statementTimeoutMs }
      : undefined,
  });
  try {
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
  ctx: Runtime,
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

/** Every history row, read on a read-only session: what a backup's manifest records and a probe judges. */
export async function readHistory(runtime: Runtime): Promise<HistoryRow[]> {
  return withSession(runtime, (_session, history) => history.read(), { writes: false });
}

/** The configured history on a session the caller holds, its tables named in full as the engine names them. */
export async function historyOn(ctx: Runtime, session: Session): Promise<History> {
  return new History(session, ctx.driver.sql, ctx.config.table, await schemaOf(ctx, session));
}

/** The instances table of the configured history on `session`. */
export async function instancesTable(ctx: Runtime, session: Session): Promise<InstancesTable> {
  return (await historyOn(ctx, session)).instances();
}

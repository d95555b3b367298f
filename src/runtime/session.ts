import { MoltError, messageOf } from '../errors.js';
import type { Driver, Session, StatementTimeouts } from '../drivers/types.js';
import type { Runtime } from './runtime.js';

/** How a configured session opens: whether it may create the database, and the limits its statements run under. */
export interface SessionOptions {
  /** False for read-only callers (status, verify, probes): a database that is not there is an error, never made. */
  writes: boolean;
  /** How long a statement waits for another process's lock on the whole database (SQLite). */
  waitMs?: number;
  /** Per-statement limits to apply after the settings. */
  timeouts?: StatementTimeouts;
}

/**
 * Applies the configured session settings (`--set`, `MOLT_SESSION`, `session`); a value the database refuses is
 * `CONFIG_INVALID` naming the setting, wherever the session was opened.
 */
export async function applySessionSettings(
  session: Session,
  driver: Pick<Driver, 'sql'>,
  settings: Readonly<Record<string, string>>,
): Promise<void> {
  for (const [name, value] of Object.entries(settings)) {
    try {
      await session.exec(driver.sql.setting(name, value));
    } catch (cause) {
      throw new MoltError(
        'CONFIG_INVALID',
        `Session setting ${name}=${value} was refused by the database: ${messageOf(cause)}`,
        {
          cause,
          hint: 'Fix or remove it in --set, MOLT_SESSION or "session" in molt.config.json',
          details: { setting: name },
        },
      );
    }
  }
}

/** Opens a session with the settings and limits applied, closing it again when they fail. */
export async function configureSession(
  session: Session,
  driver: Pick<Driver, 'sql'>,
  settings: Readonly<Record<string, string>>,
  timeouts?: StatementTimeouts,
): Promise<Session> {
  try {
    await applySessionSettings(session, driver, settings);
    if (timeouts) await session.setTimeouts(timeouts);
    return session;
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Connects, and while the server is not there yet (refused, unknown host, starting up) keeps trying for
 * `waitForDatabaseMs`, saying so every few seconds, so a Compose boot waits for its database instead of crash-looping.
 * `connect` opens the session: the driver's own by default, a maintenance database's for `create-database`.
 */
export async function connectWaiting(
  runtime: Runtime,
  options: { create?: boolean; waitMs?: number } = {},
  connect: (options: { create?: boolean; waitMs?: number }) => Promise<Session> = (o) => runtime.driver.connect(o),
): Promise<Session> {
  const until = Date.now() + runtime.config.waitForDatabaseMs;
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
        runtime.log.info(
          `waiting for the database (${Math.ceil((until - Date.now()) / 1000)} s left): ${error.message}`,
        );
      }
      runtime.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Opens a configured session: connected (waiting for the server as configured), settings applied, limits set. */
export async function openSession(runtime: Runtime, options: SessionOptions): Promise<Session> {
  const session = await connectWaiting(runtime, { create: options.writes, waitMs: options.waitMs });
  return configureSession(session, runtime.driver, runtime.config.session, options.timeouts);
}

/** Runs `work` on a configured session and always closes it. */
export async function withConfiguredSession<T>(
  runtime: Runtime,
  options: SessionOptions,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(runtime, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

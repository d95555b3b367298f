import { MoltError, messageOf } from '../errors.js';
import { type Compatibility, type Migration, readCompatibility } from '../migrate/internal.js';
import type { MoltConfig } from '../config/config.js';
import { createDriver } from '../drivers/index.js';
import type { Driver, Session } from '../drivers/types.js';
import { configureSession } from '../runtime/index.js';

/** One background reading: the database answered, and what the schema said when a migration set is known. */
export interface DatabaseProbe {
  /** Runs one check within `timeoutMs`; rejects when the database does not answer in time. */
  run(timeoutMs: number): Promise<Compatibility | null>;
  /** Releases what the probe holds. */
  close(): Promise<void>;
}

/** Races `work` against a timer; `work`'s own late failure is swallowed so it never surfaces as unhandled. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MoltError('CONNECT_FAILED', `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A probe over a check function the service supplies. */
export function checkProbe(check: () => Promise<void>): DatabaseProbe {
  return {
    run: async (timeoutMs) => {
      await withTimeout(check(), timeoutMs, 'The database check');
      return null;
    },
    close: async () => undefined,
  };
}

/**
 * A probe on one dedicated molt session, opened on first use and after any failure, with the
 * query timeout applied on the server too; it reads the history when a migration set is given.
 */
export function sessionProbe(config: MoltConfig, migrations: readonly Migration[] | null): DatabaseProbe {
  let driver: Driver | null = null;
  let session: Session | null = null;
  let closed = false;

  const open = async (d: Driver, timeoutMs: number, expired: () => boolean): Promise<Session> => {
    const opened = await d.connect({ create: false });
    // The attempt timed out while connecting: this late session belongs to nobody.
    if (expired() || closed) {
      await opened.close();
      throw new MoltError('CONNECT_FAILED', `Connecting to ${d.displayUrl} took longer than ${timeoutMs} ms`);
    }
    return configureSession(opened, d, config.session, { lockTimeoutMs: timeoutMs, statementTimeoutMs: timeoutMs });
  };

  const discard = (): void => {
    const old = session;
    session = null;
    void old?.close().catch(() => undefined);
  };

  return {
    async run(timeoutMs) {
      // Loading the client library is not the database answering, so it stays outside the timeout.
      const d = (driver ??= await createDriver(config.db));
      let expired = false;
      const work = (async () => {
        session ??= await open(d, timeoutMs, () => expired);
        if (migrations) return readCompatibility(session, d.sql, config.table, migrations);
        await session.query('SELECT 1');
        return null;
      })();
      try {
        return await withTimeout(work, timeoutMs, d.displayUrl);
      } catch (error) {
        expired = true;
        discard();
        throw error instanceof MoltError ? error : new MoltError('CONNECT_FAILED', messageOf(error), { cause: error });
      }
    },
    async close() {
      closed = true;
      const old = session;
      session = null;
      await old?.close().catch(() => undefined);
    },
  };
}

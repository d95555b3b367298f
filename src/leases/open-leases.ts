import { resolveConfig } from '../config/config.js';
import { createDriver } from '../drivers/index.js';
import type { Driver, Session } from '../drivers/types.js';
import { Leases } from './leases.js';
import type { LeasePolicy } from './types.js';

/** Where the jobs live: molt's settings (flags, environment, molt.config.json) or a connection the service opened. */
export interface OpenLeasesOptions extends LeasePolicy {
  /** Database URL; by default resolved as migrate resolves it (MOLT_DATABASE_URL, DATABASE_URL, molt.config.json). */
  db?: string;
  /** The history table; the jobs table is `${table}_jobs`. Default `_molt_migrations`, as migrate's. */
  table?: string;
  /** Base directory for molt.config.json. */
  cwd?: string;
  /** A driver to open the leases' own session with, or a session to use as is (never closed by leases). */
  connection?: { driver: Driver; session?: Session };
}

/**
 * Opens leases on the service's database with their own session (the service's connection stays
 * untouched), and checks that molt's migrations created the jobs table.
 * @example
 * const leases = await openLeases();
 * const worker = leases.work('email', async (job, { signal }) => ({ sent: true }), { concurrency: 4 });
 */
export async function openLeases(options: OpenLeasesOptions = {}): Promise<Leases> {
  const config = resolveConfig({ db: options.db, table: options.table }, { cwd: options.cwd });
  const driver = options.connection?.driver ?? (await createDriver(config.db));
  const policy = { ttlMs: options.ttlMs, maxCrashes: options.maxCrashes, interruptDelayMs: options.interruptDelayMs };
  const defined = Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined));
  const leases = new Leases(
    driver,
    options.connection?.session ?? null,
    config.table,
    defined,
    options.connection?.session ? {} : config.session,
  );
  try {
    await leases.check();
  } catch (error) {
    await leases.close();
    throw error;
  }
  return leases;
}

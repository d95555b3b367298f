import type { DatabaseKind, Dumper } from '../types.js';

/** Loads the dumper for a database kind; each one loads only when its database is backed up. */
export async function dumperFor(kind: DatabaseKind): Promise<Dumper> {
  const loaders: Record<DatabaseKind, () => Promise<Dumper>> = {
    sqlite: async () => (await import('./sqlite.js')).sqliteDumper,
    postgres: async () => (await import('./postgres.js')).postgresDumper,
    mysql: async () => (await import('./mysql.js')).mysqlDumper,
  };
  return loaders[kind]();
}

import { parseDatabaseUrl } from '../config/url.js';
import type { Driver } from './types.js';

export type { Capabilities, DialectSql, Driver, Row, Session, StatementTimeouts } from './types.js';

/** Opens the driver for a database URL; each client library loads only when its database is used. */
export async function createDriver(url: string): Promise<Driver> {
  const parsed = parseDatabaseUrl(url);
  switch (parsed.kind) {
    case 'sqlite': {
      const { createSqliteDriver } = await import('./sqlite/index.js');
      return createSqliteDriver(parsed.path, parsed.url);
    }
    case 'postgres': {
      const { createPostgresDriver } = await import('./postgres/index.js');
      return createPostgresDriver(parsed.url);
    }
    case 'mysql': {
      const { createMysqlDriver } = await import('./mysql/index.js');
      return createMysqlDriver(parsed.url);
    }
  }
}

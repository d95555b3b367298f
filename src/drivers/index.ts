import { parseDatabaseUrl } from '../config/url.js';
import type { Capabilities, DialectSql, Driver } from './types.js';

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

/** A database kind's SQL as data, without its client library: for reading files (lint) with no connection. */
export async function dialectFor(kind: 'sqlite' | 'postgres' | 'mysql'): Promise<{ sql: DialectSql; capabilities: Capabilities }> {
  switch (kind) {
    case 'sqlite': {
      const { sqliteSql, sqliteCapabilities } = await import('./sqlite/sqlite-dialect.js');
      return { sql: sqliteSql, capabilities: sqliteCapabilities };
    }
    case 'postgres': {
      const { postgresSql, postgresCapabilities } = await import('./postgres/postgres-dialect.js');
      return { sql: postgresSql, capabilities: postgresCapabilities };
    }
    case 'mysql': {
      const { mysqlSql, mysqlCapabilities } = await import('./mysql/mysql-dialect.js');
      return { sql: mysqlSql, capabilities: mysqlCapabilities };
    }
  }
}

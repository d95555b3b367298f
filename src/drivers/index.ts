import { parseDatabaseUrl, withDatabase } from '../config/url.js';
import type { Capabilities, DialectSql, Driver, Session } from './types.js';

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

/**
 * A session on the server `url` names, through the first of the databases every such server has
 * (`sql.maintenanceDatabases`) that lets us in: for work on a database that may not exist yet.
 * Throws the first connection error when none does.
 */
export async function connectToServer(url: string): Promise<Session> {
  const { sql } = await createDriver(url);
  let first: unknown = new Error(`${sql.name} has no database that every server holds`);
  for (const [i, name] of sql.maintenanceDatabases.entries()) {
    try {
      return await (await createDriver(withDatabase(url, name))).connect();
    } catch (error) {
      if (i === 0) first = error;
    }
  }
  throw first;
}

/** A database kind's SQL as data, without its client library: for reading files (lint) with no connection. */
export async function dialectFor(
  kind: 'sqlite' | 'postgres' | 'mysql',
): Promise<{ sql: DialectSql; capabilities: Capabilities }> {
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

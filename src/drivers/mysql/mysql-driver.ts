import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { MoltError } from '../../errors.js';
import type { Driver, Row, Session, StatementTimeouts } from '../types.js';
import { sendInTransaction } from '../session-base.js';
import { connectFailure, serverSupport, type ServerFlavor } from './mysql-errors.js';
import { mysqlCapabilities, mysqlSql } from './mysql-dialect.js';
import { parseMysqlUrl, type MysqlTarget } from './mysql-url.js';
import { displayUrl } from '../../config/url.js';

/** The longest lock_wait_timeout MySQL takes, in seconds; "no limit" means this. */
const MAX_LOCK_WAIT_S = 31_536_000;

class MysqlSession implements Session {
  readonly #conn: mysql.Connection;
  readonly #database: string;
  readonly #flavor: ServerFlavor;

  constructor(conn: mysql.Connection, database: string, flavor: ServerFlavor) {
    this.#conn = conn;
    this.#database = database;
    this.#flavor = flavor;
  }

  /** GET_LOCK names are server-wide, so the database is part of the name; the server caps names at 64 characters. */
  #lockName(key: string): string {
    return `molt:${createHash('sha256').update(`${this.#database}.${key}`).digest('hex').slice(0, 48)}`;
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    // With parameters, a server-side prepared statement: exact binding whatever sql_mode says about escapes.
    const [rows] =
      params.length > 0
        ? await this.#conn.execute(sql, params.map((p) => (p === undefined ? null : p)) as never[])
        : await this.#conn.query(sql);
    return (Array.isArray(rows) ? rows : []) as T[];
  }
  async exec(sql: string): Promise<void> {
    await this.#conn.query(sql);
  }
  async execAtomically(sql: string): Promise<void> {
    // Only data statements stay atomic here: DDL commits on its own, which is why molt never plans it this way.
    await sendInTransaction((text) => this.exec(text), 'START TRANSACTION', sql);
  }
  async begin(): Promise<void> {
    await this.exec('START TRANSACTION');
  }
  async commit(): Promise<void> {
    await this.exec('COMMIT');
  }
  async rollback(): Promise<void> {
    await this.exec('ROLLBACK');
  }
  async tryLock(key: string): Promise<boolean> {
    const rows = await this.query<{ ok: unknown }>('SELECT GET_LOCK(?, 0) AS ok', [this.#lockName(key)]);
    return Number(rows[0].ok) === 1;
  }
  async unlock(key: string): Promise<void> {
    await this.query('SELECT RELEASE_LOCK(?) AS released', [this.#lockName(key)]);
  }
  async isLocked(key: string): Promise<boolean> {
    const rows = await this.query<{ held: unknown }>('SELECT IS_USED_LOCK(?) IS NOT NULL AS held', [
      this.#lockName(key),
    ]);
    return Number(rows[0].held) === 1;
  }
  async serverVersion(): Promise<string> {
    return `${this.#flavor.name} ${this.#flavor.version}`;
  }
  async setTimeouts(t: StatementTimeouts): Promise<void> {
    const lockWait = t.lockTimeoutMs > 0 ? Math.max(1, Math.ceil(t.lockTimeoutMs / 1000)) : MAX_LOCK_WAIT_S;
    // MariaDB limits every statement; MySQL's max_execution_time only limits SELECT.
    const statementLimit = this.#flavor.mariadb
      ? `max_statement_time = ${t.statementTimeoutMs / 1000}`
      : `max_execution_time = ${Math.floor(t.statementTimeoutMs)}`;
    await this.exec(
      `SET SESSION lock_wait_timeout = ${lockWait}, SESSION innodb_lock_wait_timeout = ${lockWait}, SESSION ${statementLimit}`,
    );
  }
  async close(): Promise<void> {
    try {
      // The server frees a closed session's named locks a moment after the socket closes; releasing them
      // first means the next process finds the lock free as soon as close() returns.
      await this.#conn.query('DO RELEASE_ALL_LOCKS()');
      await this.#conn.end();
    } catch {
      this.#conn.destroy();
    }
  }
  keepAlive(on: boolean): void {
    const socket = (this.#conn as unknown as { connection?: { stream?: { ref?(): void; unref?(): void } } }).connection
      ?.stream;
    if (on) socket?.ref?.();
    else socket?.unref?.();
  }
}

async function open(target: MysqlTarget, displayUrl: string): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({
      host: target.host,
      port: target.port,
      socketPath: target.socketPath,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: target.ssl,
      connectTimeout: target.connectTimeoutMs,
      // A statement and its progress row travel in one round trip; molt sends only its own files.
      multipleStatements: true,
      // DATETIME has no zone: molt writes UTC and reads it back as UTC.
      timezone: 'Z',
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  } catch (cause) {
    throw connectFailure(cause, target, displayUrl);
  }
}

/** Opens MySQL or MariaDB sessions with `mysql2`, one dedicated connection each. */
export function createMysqlDriver(url: string): Driver {
  const shown = displayUrl(url);
  const target = parseMysqlUrl(url);
  return {
    kind: 'mysql',
    capabilities: mysqlCapabilities,
    sql: mysqlSql,
    displayUrl: shown,
    async connect(): Promise<Session> {
      const conn = await open(target, shown);
      // A server-side disconnect surfaces on the next query; without a listener it would crash the process.
      conn.on('error', () => undefined);
      try {
        const [rows] = await conn.query('SELECT VERSION() AS v');
        const flavor = serverSupport(String((rows as Row[])[0].v), shown);
        return new MysqlSession(conn, target.database, flavor);
      } catch (error) {
        conn.destroy();
        if (error instanceof MoltError) throw error;
        throw connectFailure(error, target, shown);
      }
    },
  };
}

import pg from 'pg';
import { lockNumber, sendInTransaction } from '../session-base.js';
import type { Driver, Row, Session, StatementTimeouts } from '../types.js';
import { postgresCapabilities, postgresSql } from './postgres-dialect.js';
import { postgresConnectFailure } from './postgres-errors.js';
import { checkPostgresUrl } from './postgres-url.js';
import { displayUrl } from '../../config/url.js';

// int8 and numeric as strings keeps 20-digit versions exact; timestamps stay Date objects.
const CONNECT_TIMEOUT_MS = 10_000;

class PostgresSession implements Session {
  readonly #client: pg.Client;
  constructor(client: pg.Client) {
    this.#client = client;
  }
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.#client.query(sql, params as unknown[]);
    return result.rows as T[];
  }
  async exec(sql: string): Promise<void> {
    await this.#client.query(sql);
  }
  async execAtomically(sql: string): Promise<void> {
    await sendInTransaction((text) => this.exec(text), 'BEGIN', sql);
  }
  async begin(): Promise<void> {
    await this.exec('BEGIN');
  }
  async commit(): Promise<void> {
    await this.exec('COMMIT');
  }
  async rollback(): Promise<void> {
    await this.exec('ROLLBACK');
  }
  async tryLock(key: string): Promise<boolean> {
    const rows = await this.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
      lockNumber(key).toString(),
    ]);
    return rows[0].ok;
  }
  async unlock(key: string): Promise<void> {
    await this.query('SELECT pg_advisory_unlock($1::bigint)', [lockNumber(key).toString()]);
  }
  async isLocked(key: string): Promise<boolean> {
    const n = BigInt.asUintN(64, lockNumber(key));
    const rows = await this.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1) AS held`,
      [(n >> 32n).toString(), (n & 0xffffffffn).toString()],
    );
    return rows[0].held;
  }
  async serverVersion(): Promise<string> {
    const rows = await this.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0].server_version}`;
  }
  async setTimeouts(t: StatementTimeouts): Promise<void> {
    await this.exec(
      `SET lock_timeout = ${Math.max(0, Math.floor(t.lockTimeoutMs))}; SET statement_timeout = ${Math.max(0, Math.floor(t.statementTimeoutMs))}`,
    );
  }
  async close(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }
  keepAlive(on: boolean): void {
    const socket = (this.#client as unknown as { connection?: { stream?: { ref?(): void; unref?(): void } } })
      .connection?.stream;
    if (on) socket?.ref?.();
    else socket?.unref?.();
  }
}

/** Opens PostgreSQL sessions with `pg`, one dedicated client each. */
export function createPostgresDriver(url: string): Driver {
  checkPostgresUrl(url);
  const shown = displayUrl(url);
  return {
    kind: 'postgres',
    capabilities: postgresCapabilities,
    sql: postgresSql,
    displayUrl: shown,
    async connect(): Promise<Session> {
      const client = new pg.Client({
        connectionString: url,
        application_name: 'molt',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      });
      // A server-side disconnect surfaces on the next query; without a listener it would crash the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (cause) {
        await client.end().catch(() => undefined);
        throw postgresConnectFailure(cause, url, shown);
      }
      return new PostgresSession(client);
    },
  };
}

import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MoltError, messageOf } from '../../errors.js';
import type { Driver, Row, Session, StatementTimeouts } from '../types.js';
import { sqliteCapabilities, sqliteSql } from './sqlite-dialect.js';
import { processesHolding } from './file-holders.js';

const DEFAULT_BUSY_MS = 5_000;
/**
 * How long one attempt may wait inside SQLite's busy handler: not at all. better-sqlite3 is synchronous, so a wait
 * there freezes the whole process (its probes, its other requests), and many requests waiting at once would freeze it
 * for the sum of their waits. The wait happens between attempts instead, with the event loop free.
 */
const BUSY_SLICE_MS = 0;

function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  return value;
}

/** The error for a database another process keeps locked past the wait: who holds it, and what to do. */
/** `pid 12 (node app.js)` for every other process that has the file open. */
function holderNames(path: string): string[] {
  return processesHolding(path).map((h) => `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`);
}

function lockedError(path: string, waitedMs: number, cause: unknown): MoltError {
  const holders = holderNames(path);
  const who = holders.length > 0 ? holders.join(', ') : 'another process';
  return new MoltError(
    'LOCK_TIMEOUT',
    `SQLite database ${path} stayed locked by ${who} for ${Math.round(waitedMs / 100) / 10} s`,
    {
      cause,
      hint: 'Wait for it to finish, or raise --lock-timeout. In WAL mode (PRAGMA journal_mode=WAL; the default for databases molt creates) reads never wait for a writer',
      details: { holders },
    },
  );
}

const isBusy = (error: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');
// A stale snapshot in WAL mode: retrying the statement cannot help, only restarting the transaction can.
const isStaleSnapshot = (error: unknown): boolean => (error as { code?: string }).code === 'SQLITE_BUSY_SNAPSHOT';

class SqliteSession implements Session {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #waitMs: number;
  #busyMs: number;
  #holdsLock = false;
  #depth = 0;

  constructor(db: Database.Database, path: string, waitMs: number) {
    this.#db = db;
    this.#path = path;
    this.#waitMs = waitMs;
    this.#busyMs = waitMs;
  }
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#waiting(() => {
      const stmt = this.#db.prepare(sql);
      const args = params.map(bindable);
      if (stmt.reader) return stmt.all(...args) as T[];
      stmt.run(...args);
      return [];
    });
  }
  async exec(sql: string): Promise<void> {
    await this.#waiting(() => this.#db.exec(sql));
  }

  /**
   * Runs one statement; while another process holds the lock it needs, tries again every few milliseconds, with the
   * event loop free in between, until the session's wait is over (a statement that met a lock did not run).
   */
  async #waiting<T>(run: () => T): Promise<T> {
    const deadline = Date.now() + this.#busyMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return run();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (isStaleSnapshot(error) || Date.now() >= deadline) throw lockedError(this.#path, this.#busyMs, error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
      }
    }
  }
  async execAtomically(sql: string): Promise<void> {
    await this.begin();
    try {
      this.#db.exec(sql);
    } catch (error) {
      await this.rollback();
      throw error;
    }
    await this.commit();
  }
  async begin(): Promise<void> {
    // Inside the run-long write-lock transaction every migration is a savepoint.
    await this.exec(this.#holdsLock || this.#depth > 0 ? `SAVEPOINT molt_${this.#depth}` : 'BEGIN IMMEDIATE');
    this.#depth++;
  }
  async commit(): Promise<void> {
    this.#depth--;
    // A COMMIT that meets a lock leaves the transaction open, so trying it again is safe.
    await this.exec(this.#holdsLock || this.#depth > 0 ? `RELEASE molt_${this.#depth}` : 'COMMIT');
  }
  async rollback(): Promise<void> {
    this.#depth--;
    if (this.#holdsLock || this.#depth > 0)
      this.#db.exec(`ROLLBACK TO molt_${this.#depth}; RELEASE molt_${this.#depth}`);
    else if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }
  async tryLock(): Promise<boolean> {
    this.#db.pragma('busy_timeout = 0');
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#holdsLock = true;
      return true;
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw error;
    } finally {
      this.#db.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
    }
  }
  async unlock(): Promise<void> {
    if (!this.#holdsLock) return;
    this.#holdsLock = false;
    if (this.#db.inTransaction) this.#db.exec('COMMIT');
  }
  async openedBy(): Promise<string[]> {
    return this.#path === ':memory:' ? [] : holderNames(this.#path);
  }
  async isLocked(): Promise<boolean> {
    if (this.#holdsLock) return true;
    const locked = !(await this.tryLock());
    if (!locked) {
      this.#holdsLock = false;
      this.#db.exec('ROLLBACK');
    }
    return locked;
  }
  async serverVersion(): Promise<string> {
    const row = this.#db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    return `SQLite ${row.v}`;
  }
  async setTimeouts(t: StatementTimeouts): Promise<void> {
    this.#busyMs = t.lockTimeoutMs > 0 ? t.lockTimeoutMs : this.#waitMs;
  }
  async close(): Promise<void> {
    // Closing with the lock transaction open rolls it back: the same as a crash, never half a run.
    if (this.#db.open) this.#db.close();
  }
}

/** Opens SQLite sessions with `better-sqlite3` on one database file. */
export function createSqliteDriver(path: string, url = `sqlite:${path}`): Driver {
  return {
    kind: 'sqlite',
    capabilities: sqliteCapabilities,
    sql: sqliteSql,
    displayUrl: url,
    async connect(options: { create?: boolean; waitMs?: number } = {}): Promise<Session> {
      const create = options.create ?? true;
      const waitMs = Math.min(DEFAULT_BUSY_MS, options.waitMs ?? DEFAULT_BUSY_MS);
      if (!create && path !== ':memory:' && !existsSync(path)) {
        throw new MoltError('CONNECT_FAILED', `SQLite database ${path} does not exist`, {
          hint: 'Check the path in --db, MOLT_DATABASE_URL or DATABASE_URL; `molt migrate` creates the database',
          details: { missingDatabase: true },
        });
      }
      try {
        if (create && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        const fresh = path !== ':memory:' && !existsSync(path);
        const db = new Database(path, { timeout: waitMs, fileMustExist: !create });
        // A database molt makes runs in WAL mode, so status, verify and the probes read beside a running migration.
        if (fresh) db.pragma('journal_mode = WAL');
        // Migrations follow SQLite's own table-rebuild procedure: foreign keys off while the schema
        // changes, and `PRAGMA foreign_key_check` before each migration commits (sqliteSql.referenceCheck).
        db.pragma('foreign_keys = OFF');
        db.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
        return new SqliteSession(db, path, waitMs);
      } catch (cause) {
        throw new MoltError('CONNECT_FAILED', `Cannot open SQLite database ${path}: ${messageOf(cause)}`, {
          cause,
          hint: 'Check that the directory exists and is writable',
        });
      }
    },
  };
}

import { MoltError } from '../errors.js';
import type { DialectSql, Row, Session } from '../drivers/types.js';
import { INTERNAL_MIGRATIONS, metaTableDdl, tableNames, type TableNames } from './history-schema.js';
import { InstancesTable, rowsOrNone } from './instances-table.js';

/** Status of one history row. `rolled_back` failed whole and left nothing behind; `failed` and `running` may have. */
export type RowStatus = 'success' | 'baseline' | 'failed' | 'running' | 'rolled_back';

/** One row of the history table. */
export interface HistoryRow {
  version: string;
  name: string;
  phase: string;
  checksum: string | null;
  rawHash: string | null;
  status: RowStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  statementsTotal: number | null;
  statementsApplied: number | null;
  error: string | null;
  errorStatement: number | null;
  errorLine: number | null;
  appVersion: string | null;
  moltVersion: string | null;
  host: string | null;
  /** A short hash of every statement of the file as it ran, for resuming a partial migration. */
  statementHashes: readonly string[] | null;
}

/** Who holds the migration lock, as its holder row says. */
export interface LockHolder {
  host: string;
  pid: number;
  appVersion: string | null;
  since: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const COLUMNS: readonly (keyof HistoryRow)[] = [
  'version',
  'name',
  'phase',
  'checksum',
  'rawHash',
  'status',
  'startedAt',
  'finishedAt',
  'durationMs',
  'statementsTotal',
  'statementsApplied',
  'error',
  'errorStatement',
  'errorLine',
  'appVersion',
  'moltVersion',
  'host',
  'statementHashes',
];
const TIMESTAMPS = new Set<keyof HistoryRow>(['startedAt', 'finishedAt']);
const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** The history columns in SQL, in `COLUMNS` order. */
const COLUMN_LIST = COLUMNS.map(snake).join(', ');
const str = (value: unknown): string | null => (value == null ? null : String(value));
const iso = (value: unknown): string | null => (value == null ? null : new Date(value as string).toISOString());
const num = (value: unknown): number | null => (value == null ? null : Number(value));

/** Checks a configured history table name; it becomes SQL, so only plain identifiers pass. */
export function validateTableName(table: string): string {
  if (!IDENTIFIER.test(table)) {
    throw new MoltError('CONFIG_INVALID', `History table name "${table}" is not a plain identifier`, {
      hint: 'Use letters, digits and underscores, optionally schema-qualified: _molt_migrations or app._molt_migrations',
    });
  }
  return table;
}

// The longest name molt derives from the history table's: the index `<table>_jobs_lease`.
const LONGEST_SUFFIX = '_fleet_dispatches_agent';

/** Refuses a history table name the database would cut short or that lies in the database's own schemas. */
function fitsDialect(table: string, sql: DialectSql): void {
  const dot = table.lastIndexOf('.');
  const schema = dot === -1 ? null : table.slice(0, dot);
  const base = table.slice(dot + 1);
  const refuse = (why: string, hint: string): MoltError =>
    new MoltError('CONFIG_INVALID', `History table name "${table}" ${why}`, { hint, details: { table } });
  if (sql.maxIdentifierBytes > 0 && Buffer.byteLength(base + LONGEST_SUFFIX) > sql.maxIdentifierBytes) {
    throw refuse(
      `is too long: ${sql.name} keeps ${sql.maxIdentifierBytes} bytes of a name, and molt's companion names add "${LONGEST_SUFFIX}"`,
      `Use a name of at most ${sql.maxIdentifierBytes - LONGEST_SUFFIX.length} characters`,
    );
  }
  if ((schema && sql.reserved.schemas?.test(schema)) || sql.reserved.tables?.test(base)) {
    throw refuse(
      `lies in ${sql.name}'s own ${schema && sql.reserved.schemas?.test(schema) ? `schema "${schema}"` : 'reserved names'}`,
      'Use a schema and name of your own, e.g. _molt_migrations or app._molt_migrations',
    );
  }
}

/** Reads and writes one history table and its companions through a session. */
export class History {
  readonly #session: Session;
  readonly #sql: DialectSql;
  readonly #plain: TableNames;
  readonly #quoted: TableNames;
  readonly #lockKey: string;

  /**
   * `schema` qualifies an unqualified table name: the schema (or MySQL database) the session started in, so that a
   * migration that changes `search_path` or runs `USE other` still finds molt's tables, as psql finds a file's own.
   */
  constructor(session: Session, sql: DialectSql, table: string, schema: string | null = null) {
    this.#session = session;
    this.#sql = sql;
    validateTableName(table);
    fitsDialect(table, sql);
    this.#lockKey = table;
    const qualified = schema && !table.includes('.') && !schema.includes('.') ? `${schema}.${table}` : table;
    this.#plain = tableNames(qualified);
    this.#quoted = tableNames(qualified, (part) => sql.quote(part));
  }

  /** A row's value as the database stores it: timestamps in the column's format, hashes as one string. */
  #toDb(key: keyof HistoryRow, value: unknown): string | number | null {
    if (value == null) return null;
    if (TIMESTAMPS.has(key)) return this.#sql.timestamp(value as string);
    if (key === 'statementHashes') return (value as string[]).join(' ');
    return value as string | number;
  }

  /** The instances and releases tables of this history, on the same session. */
  /** molt's own tables of this history, quoted for this dialect, for the areas that keep their records there. */
  get tables(): TableNames {
    return this.#quoted;
  }

  instances(): InstancesTable {
    return new InstancesTable(this.#session, this.#sql, this.#quoted);
  }

  /** The lock name for this history, so two histories in one database do not block each other. */
  get lockKey(): string {
    return this.#lockKey;
  }

  async #exists(table: string): Promise<boolean> {
    const { sql, params } = this.#sql.tableExists(table);
    const rows = await this.#session.query<{ present: unknown }>(sql, params);
    return Boolean(Number(rows[0]?.present) || rows[0]?.present === true);
  }

  /** Creates molt's tables or moves them forward through molt's own migrations; call under the lock. */
  async ensure(): Promise<void> {
    const s = this.#session;
    const ty = this.#sql.types;
    const p = this.#sql.param;
    await s.exec(metaTableDdl(this.#quoted, ty));
    const rows = await s.query<{ v: unknown }>(`SELECT max(version) AS v FROM ${this.#quoted.meta}`);
    const current = Number(rows[0]?.v ?? 0);
    for (const m of INTERNAL_MIGRATIONS) {
      if (m.version <= current) continue;
      await s.begin();
      try {
        for (const statement of m.statements(this.#quoted, ty)) {
          try {
            await s.exec(statement);
          } catch (error) {
            // Where DDL commits by itself, a crash inside this migration leaves its first statements applied
            // without its meta row; these are molt's own objects, so one already there is exactly that.
            if (!this.#sql.ddlAlreadyApplied(error)) throw error;
          }
        }
        await s.query(
          `INSERT INTO ${this.#quoted.meta} (version, name, applied_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`,
          [m.version, m.name, this.#sql.timestamp(new Date().toISOString())],
        );
        await s.commit();
      } catch (error) {
        await s.rollback().catch(() => undefined);
        throw error;
      }
    }
  }

  /** True when molt's own tables exist and are at molt's newest own migration, so `ensure` has nothing to do. */
  async isCurrent(): Promise<boolean> {
    try {
      const rows = await this.#session.query<{ v: unknown }>(`SELECT max(version) AS v FROM ${this.#quoted.meta}`);
      return Number(rows[0]?.v ?? 0) >= INTERNAL_MIGRATIONS[INTERNAL_MIGRATIONS.length - 1].version;
    } catch (error) {
      if (this.#sql.isMissingTable(error)) return false;
      throw error;
    }
  }

  /** Every row, in the order the migrations were applied. */
  async read(): Promise<HistoryRow[]> {
    // No existence probe first: the read is on every boot's path, and one round trip is cheaper.
    // `*` rather than a column list: a read-only `status` must work on tables an older molt created.
    const rows = await rowsOrNone(this.#session, this.#sql, `SELECT * FROM ${this.#quoted.history}`);
    return rows.map((r: Row) => ({
      version: String(r.version),
      name: String(r.name),
      phase: String(r.phase),
      checksum: (r.checksum as string | null) ?? null,
      rawHash: (r.raw_hash as string | null) ?? null,
      status: r.status as RowStatus,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      durationMs: num(r.duration_ms),
      statementsTotal: num(r.statements_total),
      statementsApplied: num(r.statements_applied),
      error: (r.error as string | null) ?? null,
      errorStatement: num(r.error_statement),
      errorLine: num(r.error_line),
      appVersion: (r.app_version as string | null) ?? null,
      moltVersion: (r.molt_version as string | null) ?? null,
      host: str(r.host),
      statementHashes: r.statement_hashes ? String(r.statement_hashes).split(' ') : null,
    }));
  }

  /** Replaces the row for `(version, name)`; runs inside the caller's transaction when there is one. */
  async put(row: HistoryRow, options: { replace: boolean } = { replace: true }): Promise<void> {
    if (options.replace) await this.remove(row.version, row.name);
    const p = this.#sql.param;
    await this.#session.query(
      `INSERT INTO ${this.#quoted.history} (${COLUMN_LIST}) VALUES (${COLUMNS.map((_, i) => p(i + 1)).join(', ')})`,
      COLUMNS.map((c) => this.#toDb(c, row[c])),
    );
  }

  /**
   * The statements that record `row` as literal SQL, to travel with the migration in one round trip;
   * `expressions` gives SQL for columns computed by the database (finish time, duration).
   */
  putSql(
    row: HistoryRow,
    options: { replace: boolean; expressions?: Partial<Record<keyof HistoryRow, string>> },
  ): string {
    const lit = this.#sql.literal;
    const values = COLUMNS.map((c) => options.expressions?.[c] ?? lit(this.#toDb(c, row[c])));
    const insert = `INSERT INTO ${this.#quoted.history} (${COLUMN_LIST}) VALUES (${values.join(', ')})`;
    if (!options.replace) return insert;
    return `DELETE FROM ${this.#quoted.history} WHERE version = ${lit(row.version)} AND name = ${lit(row.name)};\n${insert}`;
  }

  /** Updates some columns of the row for `(version, name)`. */
  async update(version: string, name: string, fields: Partial<HistoryRow>): Promise<void> {
    const keys = Object.keys(fields) as (keyof HistoryRow)[];
    const p = this.#sql.param;
    const sets = keys.map((k, i) => `${snake(k)} = ${p(i + 1)}`).join(', ');
    await this.#session.query(
      `UPDATE ${this.#quoted.history} SET ${sets} WHERE version = ${p(keys.length + 1)} AND name = ${p(keys.length + 2)}`,
      [...keys.map((k) => this.#toDb(k, fields[k])), version, name],
    );
  }

  /** The same update as literal SQL, to travel in one round trip with the statement it records. */
  updateSql(
    version: string,
    name: string,
    fields: Partial<HistoryRow>,
    expressions: Partial<Record<keyof HistoryRow, string>> = {},
  ): string {
    const lit = this.#sql.literal;
    const sets = [
      ...(Object.keys(fields) as (keyof HistoryRow)[]).map((k) => `${snake(k)} = ${lit(this.#toDb(k, fields[k]))}`),
      ...(Object.keys(expressions) as (keyof HistoryRow)[]).map((k) => `${snake(k)} = ${expressions[k]}`),
    ];
    return `UPDATE ${this.#quoted.history} SET ${sets.join(', ')} WHERE version = ${lit(version)} AND name = ${lit(name)}`;
  }

  /** Deletes the row for `(version, name)`. */
  async remove(version: string, name: string): Promise<void> {
    const p = this.#sql.param;
    await this.#session.query(`DELETE FROM ${this.#quoted.history} WHERE version = ${p(1)} AND name = ${p(2)}`, [
      version,
      name,
    ]);
  }

  /** Writes the holder row; the lock itself stays the source of truth. */
  async writeHolder(holder: LockHolder & { moltVersion: string }): Promise<void> {
    const p = this.#sql.param;
    await this.#session.query(`DELETE FROM ${this.#quoted.lock} WHERE id = ${p(1)}`, ['migrate']);
    await this.#session.query(
      `INSERT INTO ${this.#quoted.lock} (id, host, pid, app_version, molt_version, since) VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')})`,
      ['migrate', holder.host, holder.pid, holder.appVersion, holder.moltVersion, this.#sql.timestamp(holder.since)],
    );
  }

  /** Removes the holder row. */
  async clearHolder(): Promise<void> {
    await this.#session.query(`DELETE FROM ${this.#quoted.lock} WHERE id = ${this.#sql.param(1)}`, ['migrate']);
  }

  /** The holder row, if one was written. */
  async readHolder(): Promise<LockHolder | null> {
    if (!(await this.#exists(this.#plain.lock))) return null;
    const rows = await this.#session.query(
      `SELECT host, pid, app_version, since FROM ${this.#quoted.lock} WHERE id = ${this.#sql.param(1)}`,
      ['migrate'],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      host: String(r.host),
      pid: Number(r.pid),
      appVersion: (r.app_version as string | null) ?? null,
      since: iso(r.since) ?? '',
    };
  }
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DialectSql, Row, Session } from '../drivers/types.js';
import { MoltError } from '../errors.js';
import { nowMs, rowsOrNone, type TableNames } from '../migrate/internal.js';
import type { StepRecord, UpgradeState } from './types.js';

/** One upgrade as the journal holds it. */
export interface JournalEntry {
  id: string;
  /** True while it runs, or its orchestrator died and it waits for `--resume` / `--rollback`. */
  active: boolean;
  state: UpgradeState;
  /** The step it is at (or ended at). */
  step: string | null;
  runtime: string;
  fromVersion: string | null;
  toVersion: string;
  /** What it upgrades to: a release directory or an image. */
  target: string;
  /** What it upgrades from, to go back to. */
  previous: string | null;
  /** `host pid N`. */
  owner: string;
  startedAt: string;
  updatedAt: string;
  /** Milliseconds since its last write, on the database's clock. */
  updatedAgoMs: number;
  endedAt: string | null;
  steps: StepRecord[];
  error: string | null;
  report: unknown;
}

/** What starting an upgrade records. */
export interface JournalStart {
  runtime: string;
  fromVersion: string | null;
  toVersion: string;
  target: string;
  previous: string | null;
}

/** The owner string of this process. */
export function ownerHere(): string {
  return `${hostname()} pid ${process.pid}`;
}

/**
 * The upgrade journal in the database, beside the history: `molt status` and a second operator read it, a killed
 * upgrade resumes from it, and its unique `active` slot allows one upgrade at a time per database.
 */
export class UpgradeJournal {
  readonly #s: Session;
  readonly #sql: DialectSql;
  readonly #t: string;
  readonly #now: string;

  constructor(session: Session, sql: DialectSql, tables: TableNames) {
    this.#s = session;
    this.#sql = sql;
    this.#t = tables.upgrades;
    this.#now = nowMs(sql);
  }

  /** The upgrade that holds the active slot, if any. */
  async active(): Promise<JournalEntry | null> {
    const rows = await rowsOrNone(this.#s, this.#sql, `${this.#select()} WHERE active = 1`);
    return rows[0] ? entryOf(rows[0]) : null;
  }

  /** The newest upgrades, newest first. */
  async recent(limit = 5): Promise<JournalEntry[]> {
    const rows = await rowsOrNone(this.#s, this.#sql, `${this.#select()} ORDER BY started_at DESC`);
    return rows.slice(0, limit).map(entryOf);
  }

  /** Takes the active slot for a new upgrade; refused, naming the holder, while another upgrade holds it. */
  async begin(start: JournalStart): Promise<JournalEntry> {
    const p = this.#sql.param;
    const id = randomUUID();
    try {
      await this.#s.query(
        `INSERT INTO ${this.#t} (id, active, state, step, runtime, from_version, to_version, target, previous, owner, started_at, updated_at, steps)
         VALUES (${p(1)}, 1, 'running', 'stage', ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${this.#now}, ${this.#now}, '[]')`,
        [id, start.runtime, start.fromVersion, start.toVersion, start.target, start.previous, ownerHere()],
      );
    } catch (error) {
      const holder = await this.active();
      if (holder) throw inProgress(holder);
      throw error;
    }
    return (await this.#byId(id))!;
  }

  /** Takes over an interrupted upgrade (for `--resume` or `--rollback`): this process becomes its owner. */
  async adopt(entry: JournalEntry): Promise<void> {
    const p = this.#sql.param;
    await this.#s.query(`UPDATE ${this.#t} SET owner = ${p(1)}, updated_at = ${this.#now} WHERE id = ${p(2)}`, [
      ownerHere(),
      entry.id,
    ]);
  }

  /** Records where it is: the current step and every step's record; also the heartbeat a second operator reads. */
  async record(id: string, step: string, steps: StepRecord[]): Promise<void> {
    const p = this.#sql.param;
    await this.#s.query(
      `UPDATE ${this.#t} SET step = ${p(1)}, steps = ${p(2)}, updated_at = ${this.#now} WHERE id = ${p(3)}`,
      [step, JSON.stringify(steps), id],
    );
  }

  /** Ends it: frees the active slot and keeps the outcome, the error and the report. */
  async finish(id: string, state: UpgradeState, error: string | null, report: unknown): Promise<void> {
    const p = this.#sql.param;
    await this.#s.query(
      `UPDATE ${this.#t} SET active = NULL, state = ${p(1)}, error = ${p(2)}, report = ${p(3)}, updated_at = ${this.#now}, ended_at = ${this.#now} WHERE id = ${p(4)}`,
      [state, error, JSON.stringify(report), id],
    );
  }

  async #byId(id: string): Promise<JournalEntry | null> {
    const rows = await this.#s.query(`${this.#select()} WHERE id = ${this.#sql.param(1)}`, [id]);
    return rows[0] ? entryOf(rows[0]) : null;
  }

  #select(): string {
    return `SELECT id, active, state, step, runtime, from_version, to_version, target, previous, owner, started_at, updated_at,
      ended_at, steps, error, report, ${this.#now} - updated_at AS ago FROM ${this.#t}`;
  }
}

/** The refusal a second upgrade gets while one holds the slot. */
export function inProgress(holder: JournalEntry): MoltError {
  const seconds = Math.round(holder.updatedAgoMs / 1000);
  return new MoltError(
    'UPGRADE_IN_PROGRESS',
    `upgrade ${holder.id} from ${holder.fromVersion ?? '?'} to ${holder.toVersion} (${holder.owner}, started ${holder.startedAt}) is in progress at step ${holder.step ?? '?'}, last heard of ${seconds} s ago`,
    {
      hint: 'Wait for it to finish; if its process is gone, run `molt upgrade --resume` to finish it or `molt upgrade --rollback` to return to the old release',
      details: { upgrade: holder.id, owner: holder.owner, step: holder.step, toVersion: holder.toVersion },
    },
  );
}

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();

function entryOf(r: Row): JournalEntry {
  return {
    id: String(r.id),
    active: Number(r.active) === 1,
    state: String(r.state) as UpgradeState,
    step: r.step == null ? null : String(r.step),
    runtime: String(r.runtime),
    fromVersion: r.from_version == null ? null : String(r.from_version),
    toVersion: String(r.to_version),
    target: String(r.target),
    previous: r.previous == null ? null : String(r.previous),
    owner: String(r.owner),
    startedAt: iso(r.started_at),
    updatedAt: iso(r.updated_at),
    updatedAgoMs: Number(r.ago ?? 0),
    endedAt: r.ended_at == null ? null : iso(r.ended_at),
    steps: r.steps == null ? [] : (JSON.parse(String(r.steps)) as StepRecord[]),
    error: r.error == null ? null : String(r.error),
    report: r.report == null ? null : (JSON.parse(String(r.report)) as unknown),
  };
}

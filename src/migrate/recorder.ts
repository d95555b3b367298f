import type { Capabilities, DialectSql, Session } from '../drivers/types.js';
import type { History, HistoryRow } from './history.js';
import type { WorkItem } from './pending.js';
import { newRow, type RowAuthor } from './vocabulary.js';

/**
 * How a migration that runs statement by statement records its progress. One is chosen per run from the driver's
 * capabilities: `separate` writes each row in a round trip of its own; `same-trip` sends each statement with the row
 * that records it, where statements sent together still commit one by one (MySQL), and writes the next migration's
 * `running` row in the commit that records this one done.
 */
export interface ProgressRecorder {
  readonly kind: 'separate' | 'same-trip';
  /** Before the first statement: the `running` row written, held to travel with the first statement, or already written. */
  open(item: WorkItem, row: HistoryRow): Promise<void>;
  /** Sends what `open` held, before a statement that cannot carry it. */
  flush(): Promise<void>;
  /**
   * Runs a statement that leaves no transaction open, with the row recording `fields`. `together`: it can share a
   * transaction with that row, so both commit or neither does. `last`: the file's final statement.
   */
  step(text: string, fields: Partial<HistoryRow>, together: boolean, last: boolean): Promise<void>;
  /**
   * Runs the statement that ends the file's own transaction or lock region, with the row recording `fields`: inside
   * the transaction where the history can be written there, after the region otherwise.
   */
  closeRegion(text: string, fields: Partial<HistoryRow>, last: boolean): Promise<void>;
  /** Records the migration done, unless its last step did already. */
  done(durationMs: number): Promise<void>;
  /** A run that stops before `item` removes the row written ahead for it, which would read as interrupted. */
  abandon(item: WorkItem): Promise<void>;
}

/** Who and where a recorder writes. */
export interface RecorderContext extends RowAuthor {
  session: Session;
  history: History;
  sql: DialectSql;
}

/** The `running` row for a migration about to run, with the hash of every statement it will run. */
export function runningRow(item: WorkItem, who: RowAuthor, started: Date): HistoryRow {
  return newRow(item.migration, who, {
    status: 'running',
    startedAt: started.toISOString(),
    statementsTotal: item.plan.statements.length,
    statementsApplied: 0,
    statementHashes: item.plan.hashes,
  });
}

/** Picks the recorder for this database, once per run; `work` is the run's migrations, in order. */
export function chooseRecorder(
  caps: Pick<Capabilities, 'multiStatementAutocommit'>,
  ctx: RecorderContext,
  work: readonly WorkItem[],
): ProgressRecorder {
  return caps.multiStatementAutocommit ? sameTripRecorder(ctx, work) : separateRecorder(ctx);
}

/** The SQL that records a migration done, the finish time and duration computed by the database. */
function doneSql(ctx: RecorderContext, row: HistoryRow, fields: Partial<HistoryRow>): string {
  return ctx.history.updateSql(
    row.version,
    row.name,
    { ...fields, status: 'success' },
    { finishedAt: ctx.sql.now, durationMs: ctx.sql.msSince(row.startedAt!) },
  );
}

/** Each statement, then the row that records it; rows never share a round trip with a statement. */
function separateRecorder(ctx: RecorderContext): ProgressRecorder {
  const { session, history } = ctx;
  let row: HistoryRow;
  return {
    kind: 'separate',
    async open(item, opening) {
      row = opening;
      if (!item.resume) await history.put(opening, { replace: item.replace });
    },
    flush: async () => undefined,
    async step(text, fields, together) {
      const progress = history.updateSql(row.version, row.name, fields);
      if (together) await session.execAtomically(`${text}\n;\n${progress}`);
      else {
        await session.exec(text);
        await session.exec(progress);
      }
    },
    async closeRegion(text, fields) {
      // The file's own COMMIT carries the progress row (and its ROLLBACK drops it with the rest).
      await session.exec(history.updateSql(row.version, row.name, fields));
      await session.exec(text);
    },
    async done(durationMs) {
      await history.update(row.version, row.name, {
        status: 'success',
        finishedAt: new Date().toISOString(),
        durationMs,
      });
    },
    abandon: async () => undefined,
  };
}

/**
 * Each statement and its row in one round trip, which the server runs one after the other; the `running` row travels
 * with the first statement, and the next migration's with the last.
 */
function sameTripRecorder(ctx: RecorderContext, work: readonly WorkItem[]): ProgressRecorder {
  const { session, history, sql } = ctx;
  const { begin, commit } = sql.transaction;
  let row: HistoryRow;
  let held: string | null = null;
  let recordedDone = false;
  // The migration whose `running` row the previous one's last commit wrote.
  let openedAhead: WorkItem | null = null;
  let next: WorkItem | undefined;
  // Items open in order, so each search starts where the last one ended.
  let position = -1;
  // The next migration's row is written ahead when it starts fresh and runs statement by statement like this one.
  const aheadOf = (w: WorkItem | undefined): WorkItem | null =>
    w && !w.resume && w.plan.mode !== 'transaction' ? w : null;

  const openNext = (): string | undefined => {
    const ahead = aheadOf(next);
    return ahead ? history.putSql(runningRow(ahead, ctx, new Date()), { replace: ahead.replace }) : undefined;
  };
  // Done, and the next migration's `running` row with it: one commit instead of two.
  const closing = (fields: Partial<HistoryRow>): string => {
    const ahead = openNext();
    return ahead ? `${begin};\n${doneSql(ctx, row, fields)};\n${ahead};\n${commit}` : doneSql(ctx, row, fields);
  };
  const markOpened = (): void => {
    openedAhead = aheadOf(next);
  };

  return {
    kind: 'same-trip',
    async open(item, opening) {
      row = opening;
      recordedDone = false;
      position = work.indexOf(item, position + 1);
      next = work[position + 1];
      const written = openedAhead === item;
      openedAhead = null;
      held = item.resume || written ? null : history.putSql(opening, { replace: item.replace });
    },
    async flush() {
      if (held) await session.exec(held);
      held = null;
    },
    async step(text, fields, together, last) {
      const progress = history.updateSql(row.version, row.name, fields);
      const body = together
        ? `${begin};\n${text}\n;\n${last ? [doneSql(ctx, row, fields), openNext()].filter(Boolean).join(';\n') : progress};\n${commit}`
        : `${text}\n;\n${last ? closing(fields) : progress}`;
      const trip = [held, body].filter(Boolean).join('\n;\n');
      held = null;
      try {
        await session.exec(trip);
      } catch (error) {
        // A transaction this round trip opened must not stay open to swallow the failure's own record.
        if (together) await session.exec(sql.abortRegion).catch(() => undefined);
        throw error;
      }
      if (last) {
        recordedDone = true;
        markOpened();
      }
    },
    closeRegion(text, fields, last) {
      // A lock region's tables are the only ones it may write, so its row follows the UNLOCK, in the same round trip.
      return this.step(text, fields, false, last);
    },
    async done() {
      await this.flush();
      if (recordedDone) return;
      await session.exec(closing({}));
      markOpened();
    },
    async abandon(item) {
      if (openedAhead === item)
        await history.remove(item.migration.version, item.migration.name).catch(() => undefined);
      openedAhead = null;
    },
  };
}

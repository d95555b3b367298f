import { messageOf } from '../errors.js';
import type { DialectSql, Session } from '../drivers/types.js';
import type { Statement } from '../sql/index.js';
import type { ExecutionMode, ExecutionPlan } from './execution-plan.js';
import type { HistoryRow } from './history.js';
import type { Phase } from './migration.js';
import type { WorkItem } from './pending.js';
import { runningRow, type ProgressRecorder, type RecorderContext } from './recorder.js';

/** What happened to one migration in a run. */
export interface MigrationResult {
  version: string;
  name: string;
  phase: Phase;
  source: string;
  status: 'applied' | 'failed' | 'pending';
  mode: ExecutionMode;
  statements: number;
  durationMs: number;
  error?: MigrationFailure;
}

/** Where and why a migration failed, with the database's own message. */
export interface MigrationFailure {
  message: string;
  /** 1-based statement number within the file. */
  statement: number;
  /** 1-based line in the file, as exact as the database allows. */
  line: number;
  /** SQLSTATE or the driver's error code. */
  code?: string;
  /** True when part of the migration stays applied (no transaction could cover it). */
  partial: boolean;
  statementsApplied: number;
  /**
   * The statement was the one running when a previous attempt died, so its effect may already be
   * in the database; the error is then likely "already exists".
   */
  inFlightBefore?: boolean;
  /**
   * The failing statement lies inside a LOCK TABLES region after statements of it that committed one by one,
   * so the region cannot run again from its start: the history marks it in doubt, for `molt repair`.
   */
  inRegion?: { from: number; to: number };
}

/** Where a migration runs and who records it. */
export interface ApplyContext extends RecorderContext {
  /** Check, before the migration commits, that it left no reference pointing at nothing (`sql.referenceCheck`). */
  checkReferences?: boolean;
}

/** Rows a migration left whose foreign key points at no row, as one message; null when there are none. */
async function danglingReferences(session: Session, sql: DialectSql): Promise<string | null> {
  if (!sql.referenceCheck) return null;
  const rows = await session.query<{ table: string; parent: string; n: unknown }>(sql.referenceCheck.dangling);
  if (rows.length === 0) return null;
  return `it leaves ${rows.map((r) => `${r.n} row(s) of table ${r.table} whose foreign key points at no row of ${r.parent}`).join(', ')} (PRAGMA foreign_key_check)`;
}

function failure(
  statements: Statement[],
  index: number,
  error: unknown,
  partial: boolean,
  applied: number,
  sql: DialectSql,
): MigrationFailure {
  const code = (error as { code?: string }).code;
  const line = statements[index].line + sql.errorLine(error, statements[index].text);
  return { message: messageOf(error), statement: index + 1, line, code, partial, statementsApplied: applied };
}

/**
 * Replays a failed transactional migration statement by statement inside a transaction that is
 * rolled back, to name the statement and line; falls back to the first statement when the replay
 * does not fail (the failure depended on something the replay cannot repeat).
 */
async function locateFailure(
  session: Session,
  plan: ExecutionPlan,
  original: unknown,
  sql: DialectSql,
): Promise<MigrationFailure> {
  const fallback = failure(plan.statements, 0, original, false, 0, sql);
  if (plan.statements.length === 0) return fallback;
  try {
    await session.begin();
  } catch {
    return fallback;
  }
  try {
    for (let index = 0; index < plan.statements.length; index++) {
      try {
        await session.exec(plan.statements[index].text);
      } catch (error) {
        return failure(plan.statements, index, error, false, 0, sql);
      }
    }
    // Every statement runs: what failed was the history row sent after them, and the statements are not to blame.
    const last = plan.statements.length - 1;
    return {
      ...failure(plan.statements, last, original, false, 0, sql),
      message: `every statement ran, but recording the migration in the history failed: ${messageOf(original)}`,
    };
  } finally {
    await session.rollback().catch(() => undefined);
  }
}

/** Applies one migration as its plan says; never throws for a failing statement, the result says it. */
export async function applyMigration(
  ctx: ApplyContext,
  item: WorkItem,
  recorder: ProgressRecorder,
): Promise<MigrationResult> {
  const { migration: m, plan } = item;
  const started = new Date();
  const result: MigrationResult = {
    version: m.version,
    name: m.name,
    phase: m.phase,
    source: m.source,
    status: 'applied',
    mode: plan.mode,
    statements: plan.statements.length,
    durationMs: 0,
  };
  const row = runningRow(item, ctx, started);
  // A resumed migration finishes statement by statement: its first statements are already committed.
  if (plan.mode === 'transaction' && !item.resume) return runInTransaction(ctx, item, row, result, started);
  return runStatements(ctx, item, recorder, row, result, started);
}

/**
 * Runs a migration and its history row in one transaction, in one round trip where no reference needs checking; a
 * failure leaves nothing behind, and the row then says rolled back, naming the statement that failed.
 */
async function runInTransaction(
  ctx: ApplyContext,
  item: WorkItem,
  row: HistoryRow,
  result: MigrationResult,
  started: Date,
): Promise<MigrationResult> {
  const { plan } = item;
  const { session, history, sql } = ctx;
  const finish = (): number => (result.durationMs = Date.now() - started.getTime());
  const rolledBack = async (error: MigrationFailure): Promise<MigrationResult> => {
    result.status = 'failed';
    result.error = error;
    finish();
    const rolled: HistoryRow = {
      ...row,
      status: 'rolled_back',
      finishedAt: new Date().toISOString(),
      durationMs: result.durationMs,
      error: error.message,
      errorStatement: error.statement,
      errorLine: error.line,
    };
    // Recording is best effort: the connection itself may be what failed.
    await history.put(rolled, { replace: true }).catch(() => undefined);
    return result;
  };
  try {
    // The statement that failed is found afterwards, by replaying them one by one.
    const record = history.putSql(
      { ...row, status: 'success', statementsApplied: plan.statements.length },
      { replace: item.replace, expressions: { finishedAt: sql.now, durationMs: sql.msSince(row.startedAt!) } },
    );
    if (!ctx.checkReferences) {
      await session.execAtomically(`${plan.text}\n;\n${record}`);
      finish();
      return result;
    }
    await session.begin();
    try {
      await session.exec(plan.text);
      const dangling = await danglingReferences(session, sql);
      if (dangling) {
        await session.rollback();
        const last = Math.max(0, plan.statements.length - 1);
        return rolledBack({ ...failure(plan.statements, last, new Error(dangling), false, 0, sql), message: dangling });
      }
      await session.exec(record);
    } catch (error) {
      await session.rollback();
      throw error;
    }
    await session.commit();
    finish();
    return result;
  } catch (error) {
    return rolledBack(await locateFailure(session, plan, error, sql));
  }
}

/**
 * Runs a migration statement by statement outside a transaction, recording progress after each, and
 * from the first unapplied statement when `item.resume` says a previous attempt applied some.
 */
async function runStatements(
  ctx: ApplyContext,
  item: WorkItem,
  recorder: ProgressRecorder,
  row: HistoryRow,
  result: MigrationResult,
  started: Date,
): Promise<MigrationResult> {
  const { migration: m, plan } = item;
  const { session, history, sql } = ctx;
  const from = item.resume?.applied ?? 0;
  // The row says `running` first, so a crash leaves a visible trace, never a false claim.
  if (item.resume) {
    await history.update(m.version, m.name, {
      status: 'running',
      checksum: m.checksum,
      rawHash: m.rawHash,
      statementHashes: plan.hashes,
      statementsTotal: plan.statements.length,
      startedAt: row.startedAt,
      finishedAt: null,
      error: null,
      errorStatement: null,
      errorLine: null,
      appVersion: ctx.appVersion,
      moltVersion: ctx.moltVersion,
      host: ctx.host,
    });
  }
  await recorder.open(item, row);
  let applied = from;
  let inFileTransaction = false;
  // Where a LOCK TABLES region began: its statements commit one by one, yet the history cannot be written inside it.
  let regionStart: number | null = null;
  for (let index = from; index < plan.statements.length; index++) {
    const statement = plan.statements[index];
    const step = plan.steps[index];
    const last = index === plan.statements.length - 1;
    // Leaving a region clears its in-flight mark along with the progress it records.
    const reached =
      step.kind === 'closes'
        ? { statementsApplied: index + 1, errorStatement: null }
        : { statementsApplied: index + 1 };
    try {
      if (step.kind === 'closes') await recorder.closeRegion(statement.text, reached, last);
      else if (step.kind === 'together' || step.kind === 'alone')
        // A statement that commits together with its row leaves both or neither after a crash, so a resume never
        // runs a statement that took effect again.
        await recorder.step(statement.text, reached, step.kind === 'together', last);
      else {
        // Inside the file's transaction or lock region, where molt writes nothing of its own.
        await recorder.flush();
        // The row says the region is in flight before it starts: an attempt that dies inside it is then in doubt, never rerun.
        if (step.lockRegion) await session.exec(history.updateSql(m.version, m.name, { errorStatement: index + 1 }));
        await session.exec(statement.text);
      }
    } catch (error) {
      if (inFileTransaction) await session.exec(sql.abortRegion).catch(() => undefined);
      result.status = 'failed';
      const inRegion =
        regionStart !== null && index > regionStart + 1 ? { from: regionStart + 1, to: index + 1 } : undefined;
      result.error = {
        ...failure(plan.statements, index, error, applied > 0 || inRegion !== undefined, applied, sql),
        inFlightBefore: item.resume?.interrupted === true && index === from,
        inRegion,
      };
      result.durationMs = Date.now() - started.getTime();
      // The whole row, replaced: the opening insert may not have run when the batch failed. A region whose first
      // statements took effect stays marked in flight, so the next run asks for repair instead of running it again.
      const failed: HistoryRow = {
        ...row,
        status: inRegion ? 'running' : 'failed',
        statementsApplied: applied,
        finishedAt: new Date().toISOString(),
        durationMs: result.durationMs,
        error: result.error.message,
        errorStatement: inRegion ? inRegion.from : index + 1,
        errorLine: result.error.line,
      };
      await history.put(failed, { replace: true }).catch(() => undefined);
      return result;
    }
    if (step.kind === 'opens') inFileTransaction = true;
    if (step.lockRegion) regionStart = index;
    if (step.kind === 'closes') {
      inFileTransaction = false;
      regionStart = null;
    }
    if (step.kind === 'together' || step.kind === 'alone' || step.kind === 'closes') applied = index + 1;
  }
  result.durationMs = Date.now() - started.getTime();
  await recorder.done(result.durationMs);
  return result;
}

import type { Driver, Session } from '../drivers/types.js';
import type { Logger } from '../runtime/index.js';
import type { History } from './history.js';
import type { WorkItem } from './pending.js';
import { chooseRecorder } from './recorder.js';
import { applyMigration, type MigrationResult } from './runner.js';
import type { RowAuthor } from './vocabulary.js';

/** What `apply` needs: the session holding the lock, its history, the driver, who records, and where to log. */
export interface ApplyTarget extends RowAuthor {
  session: Session;
  history: History;
  driver: Pick<Driver, 'sql' | 'capabilities'>;
  log: Logger;
}

/** How an `apply` ended: every migration applied, one failed, or an interrupt stopped it between two. */
export interface ApplyOutcome {
  status: 'applied' | 'failed' | 'interrupted';
  /** One result per migration that ran, in order; a failed one is last. */
  results: MigrationResult[];
  /** The migrations left for a later run when an interrupt stopped this one. */
  remaining: WorkItem[];
}

/** Lets a signal in between two migrations, where the database's calls are synchronous (SQLite) and never yield. */
async function yieldTwice(): Promise<void> {
  // A signal read in the poll phase of the next turn is certain to have run its handler by the check phase after it
  // (one turn was seen to miss it).
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Applies `work` in order, one migration at a time, and stops at the first failure or, between two migrations, at
 * `signal`. Call it under the migration lock with the work `pendingFrom` selected there.
 */
export async function apply(
  target: ApplyTarget,
  work: readonly WorkItem[],
  signal?: AbortSignal,
): Promise<ApplyOutcome> {
  const { session, driver } = target;
  const sql = driver.sql;
  const recorder = chooseRecorder(driver.capabilities, { ...target, sql }, work);
  const results: MigrationResult[] = [];
  // A migration may change the session's search_path or current database for the rest of the session; each file
  // starts where the session started, as it would with the database's own client run once per file.
  const scope = sql.sessionScope;
  const startedIn = scope ? ((await session.query<{ s: string | null }>(scope.read))[0]?.s ?? null) : null;
  // References are checked once the database has a foreign key; until then there is nothing to check, at no cost.
  const references = sql.referenceCheck;
  let hasReferences = references ? (await session.query(references.any)).length > 0 : false;
  for (let i = 0; i < work.length; i++) {
    const item = work[i];
    const m = item.migration;
    if (signal && i > 0) await yieldTwice();
    if (signal?.aborted) {
      await recorder.abandon(item);
      return { status: 'interrupted', results, remaining: work.slice(i) };
    }
    if (item.resume) {
      const before =
        item.resume.applied === 0
          ? 'an earlier attempt stopped before its first statement was recorded'
          : `statements 1 to ${item.resume.applied} ran in an earlier attempt and are unchanged`;
      target.log.info(
        `resuming ${m.id} at statement ${item.resume.applied + 1} of ${item.plan.statements.length}: ${before}`,
      );
    }
    if (references && !hasReferences && /\breferences\b/i.test(m.sql)) hasReferences = true;
    const result = await applyMigration({ ...target, sql, checkReferences: hasReferences }, item, recorder);
    results.push(result);
    if (result.status === 'failed') return { status: 'failed', results, remaining: work.slice(i + 1) };
    if (scope && startedIn !== null && scope.changedBy.test(m.sql)) await session.exec(scope.restore(startedIn));
  }
  return { status: 'applied', results, remaining: [] };
}

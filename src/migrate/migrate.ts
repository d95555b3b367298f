import { MoltError } from '../errors.js';
import type { MoltConfig } from '../config/config.js';
import type { Driver } from '../drivers/types.js';
import { planner } from './execution-plan.js';
import { compareVersions, type Migration } from './migration.js';
import type { MigrateReport } from './report.js';
import { applyMigration, openingSql, type MigrationResult } from './runner.js';
import { verify } from './status.js';
import { assertSum } from './sum.js';
import { foreignTables, notEmptyError, nothingRecorded } from './adoption.js';
import { openContext, withLock, withSession, type CommonOptions } from './context.js';
import { judge, type Verdict } from './verdict.js';

/** Options of `migrate`. */
export interface MigrateOptions extends CommonOptions {
  /** `expand` stops before the first contract migration; `all` (default) applies everything. */
  phase?: 'expand' | 'all';
  /** Apply up to and including this version; it must be the version of a migration in the set. */
  target?: string;
  /** Migrate a database that has tables but no history (they belong to something else); otherwise that is refused. */
  allowNonEmpty?: boolean;
  /** Show what would run; write nothing and take no lock. */
  dryRun?: boolean;
  /** `migrate` (default) applies, `verify` only checks (replicas that must not migrate), `off` does nothing. */
  mode?: 'migrate' | 'verify' | 'off';
  /**
   * Runs under the lock after the drift check, when there is something to apply and before the first
   * migration; returns the backup file it wrote, or null. `molt`'s own `migrate` wires the automatic backup here.
   */
  beforeApply?: (info: {
    from: string | null;
    pending: number;
    config: MoltConfig;
    kind: Driver['kind'];
  }) => Promise<string | null>;
}

/** Newest applied version in a verdict, for "migrated from X to Y". */
function newest(verdict: Pick<Verdict, 'applied' | 'unknown'>): string | null {
  const all = [...verdict.applied, ...verdict.unknown];
  return all.length === 0 ? null : all.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b)).version;
}

/** What `selectWork` leaves out of `pending`, and why, so the report can say so. */
function heldBack(
  pending: Migration[],
  work: Migration[],
  options: MigrateOptions,
): NonNullable<MigrateReport['heldBack']> {
  const chosen = new Set(work.map((m) => m.id));
  return pending
    .filter((m) => !chosen.has(m.id))
    .map((m) => ({
      version: m.version,
      name: m.name,
      phase: m.phase,
      why: options.target && compareVersions(m.version, options.target) > 0 ? ('target' as const) : ('phase' as const),
    }));
}

function selectWork(pending: Migration[], options: MigrateOptions): Migration[] {
  let work = pending;
  if (options.target) work = work.filter((m) => compareVersions(m.version, options.target!) <= 0);
  if (options.phase === 'expand') {
    const firstContract = work.findIndex((m) => m.phase === 'contract');
    if (firstContract !== -1) work = work.slice(0, firstContract);
  }
  return work;
}

/** `--to` names a migration of the set: a version that is not there would otherwise mean "everything before it". */
function assertTarget(target: string, migrations: readonly Migration[]): void {
  if (/^\d+$/.test(target) && migrations.some((m) => compareVersions(m.version, target) === 0)) return;
  const nearest = migrations.filter((m) => /^\d+$/.test(target) && compareVersions(m.version, target) < 0).at(-1);
  throw new MoltError('USAGE', `--to ${target}: no migration has that version`, {
    hint: nearest
      ? `The nearest version below it is ${nearest.version} (${nearest.id}); run \`molt status\` to list them`
      : 'Run `molt status` to list the versions',
    details: { target },
  });
}

function refusal(report: MigrateReport): MoltError {
  const first = report.problems[0];
  return new MoltError(
    'DRIFT',
    `Refusing to migrate ${report.database}: ${report.problems.length} problem(s); first: ${first.message}`,
    {
      hint: first.hint,
      details: { report },
    },
  );
}

function failed(report: MigrateReport, result: MigrationResult): MoltError {
  const e = result.error!;
  const where = `${result.source}:${e.line} (statement ${e.statement} of ${result.statements})`;
  const hint = e.inRegion
    ? `Statements ${e.inRegion.from} to ${e.inRegion.to - 1} of the LOCK TABLES region ran and committed one by one before statement ${e.inRegion.to} failed, so the region cannot simply run again. Finish or undo them by hand, then run \`molt repair --resolve applied\` or \`molt repair --resolve rolled-back\``
    : e.inFlightBefore
      ? `Statement ${e.statement} was running when an earlier attempt died, so it may have taken effect already. If the database has its effect, finish the rest by hand and run \`molt repair --resolve applied\``
      : e.partial || e.statementsApplied > 0
        ? `Statements 1 to ${e.statementsApplied} stayed applied and are recorded. Fix statement ${e.statement} in the file (leave the ones before it as they are) and run migrate again: it resumes at statement ${e.statement}`
        : 'Nothing of this migration stayed applied. Fix the file and run migrate again';
  return new MoltError(
    'MIGRATION_FAILED',
    `Migration ${result.version}_${result.name} failed at ${where}: ${e.message}`,
    {
      hint,
      details: { report },
    },
  );
}

/**
 * Brings the database to the newest migration (or `target`), exactly once across every process:
 * drift check first, then one migration at a time under the lock. Throws a MoltError carrying the
 * report when it refuses or a migration fails, so a service never starts on a schema it cannot use.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateReport> {
  const started = Date.now();
  const empty = { from: null, to: null, migrations: [], problems: [], warnings: [], durationMs: 0 };
  if (options.mode === 'verify') {
    // verify() reads the migration set itself; reading it here too would hash every file twice.
    const status = await verify(options);
    return {
      ...empty,
      status: 'up_to_date',
      database: status.database,
      from: status.current,
      to: status.current,
      warnings: status.warnings,
      durationMs: Date.now() - started,
    };
  }
  const ctx = await openContext(options, options.mode !== 'off');
  if (options.target !== undefined) assertTarget(options.target, ctx.migrations);
  // Files edited after `molt sum` are refused before anything touches the database.
  if (!options.bundle && options.mode !== 'off')
    assertSum(ctx.config.dir, ctx.migrations, (line) => ctx.log.warn(line));
  const report: MigrateReport = { ...empty, status: 'up_to_date', database: ctx.driver.displayUrl };
  if (options.mode === 'off') {
    report.status = 'skipped';
    return report;
  }
  const allowOutOfOrder = ctx.config.allowOutOfOrder;
  const planFor = planner(ctx.driver.sql, ctx.driver.capabilities);
  const judgeOptions = { allowOutOfOrder, planOf: planFor };

  // What a verdict tells the report and the log whichever way the run goes: versions and warnings.
  const take = (verdict: Verdict, work: Migration[]): void => {
    report.from = report.to = newest(verdict);
    const held = heldBack(verdict.pending, work, options);
    if (held.length > 0) report.heldBack = held;
    report.warnings = verdict.warnings;
    for (const w of verdict.warnings) ctx.log.warn(w);
  };

  await withSession(ctx, async (session, history) => {
    if (options.dryRun) {
      const verdict = judge(ctx.migrations, await history.read(), judgeOptions);
      report.status = 'dry_run';
      report.from = report.to = newest(verdict);
      report.problems = verdict.problems;
      report.warnings = verdict.warnings;
      report.migrations = selectWork(verdict.pending, options).map((m) => {
        const plan = planFor(m);
        return {
          version: m.version,
          name: m.name,
          phase: m.phase,
          source: m.source,
          status: 'pending',
          mode: plan.mode,
          statements: plan.statements.length,
          durationMs: 0,
        };
      });
      return;
    }
    // Nothing to do is what almost every boot finds: two reads decide it (molt's own tables are current, nothing is
    // pending), and a replica does not queue for the lock behind another that is migrating only to find the work
    // done. Anything else is judged again under the lock, where molt's own tables are created or moved forward.
    // Where the lock is the database's write lock, another process migrating can keep even this read waiting: the
    // lock path below then waits for it, within --lock-timeout, instead of failing here.
    const rows = await history.read().catch((error: unknown) => {
      if (error instanceof MoltError && error.code === 'LOCK_TIMEOUT') return null;
      throw error;
    });
    const before = rows && judge(ctx.migrations, rows, judgeOptions);
    const beforeWork = before && selectWork(before.pending, options);
    if (
      before &&
      beforeWork &&
      before.problems.length === 0 &&
      before.partial.length === 0 &&
      beforeWork.length === 0 &&
      (await history.isCurrent())
    ) {
      take(before, beforeWork);
      return;
    }
    await withLock(
      ctx,
      session,
      history,
      async () => {
        // Read again under the lock: another process may have migrated while this one waited.
        const rows = await history.read();
        const recorded = new Set(rows.map((r) => `${r.version}_${r.name}`));
        const verdict = judge(ctx.migrations, rows, judgeOptions);
        const work = selectWork(verdict.pending, options);
        take(verdict, work);
        if (verdict.problems.length > 0) {
          report.status = 'refused';
          report.problems = verdict.problems;
          return;
        }
        if (work.length > 0 && !options.allowNonEmpty && nothingRecorded(verdict)) {
          const tables = await foreignTables(session, ctx.driver.sql, ctx.config.table);
          if (tables.length > 0) throw notEmptyError(ctx.driver.displayUrl, tables, ctx.migrations[0]?.version);
        }
        work.forEach(planFor); // a file that cannot run fails here, before anything is applied
        if (work.length > 0 && options.beforeApply)
          report.backup = await options.beforeApply({
            from: report.from,
            pending: work.length,
            config: ctx.config,
            kind: ctx.driver.kind,
          });
        const partial = new Map(verdict.partial.filter((p) => p.resumable).map((p) => [`${p.version}_${p.name}`, p]));
        const batch = ctx.driver.capabilities.multiStatementAutocommit;
        const base = {
          session,
          history,
          sql: ctx.driver.sql,
          appVersion: ctx.appVersion,
          moltVersion: ctx.moltVersion,
          host: ctx.host,
          batchProgress: batch,
        };
        let opened = false;
        // A migration may change the session's search_path or current database for the rest of the session; each file
        // starts where the session started, as it would with the database's own client run once per file.
        const scope = ctx.driver.sql.sessionScope;
        const startedIn = scope ? ((await session.query<{ s: string | null }>(scope.read))[0]?.s ?? null) : null;
        // References are checked once the database has a foreign key; until then there is nothing to check, at no cost.
        const references = ctx.driver.sql.referenceCheck;
        let hasReferences = references ? (await session.query(references.any)).length > 0 : false;
        for (let i = 0; i < work.length; i++) {
          const m = work[i];
          // A database whose calls are synchronous (SQLite) never lets the event loop turn, so a Ctrl-C would wait for
          // the whole run. Two turns between migrations let the signal in: a signal read in the poll phase of the next
          // turn is certain to have run its handler by the check phase after it (one turn was seen to miss it).
          if (options.signal && i > 0)
            for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
          if (options.signal?.aborted) {
            // The row written ahead for a migration that will not start now would read as interrupted.
            if (opened) await history.remove(m.version, m.name).catch(() => undefined);
            report.status = 'interrupted';
            report.remaining = work.slice(i).map((w) => ({ version: w.version, name: w.name }));
            break;
          }
          const earlier = partial.get(m.id);
          if (earlier) {
            const before =
              earlier.statementsApplied === 0
                ? 'an earlier attempt stopped before its first statement was recorded'
                : `statements 1 to ${earlier.statementsApplied} ran in an earlier attempt and are unchanged`;
            ctx.log.info(
              `resuming ${m.id} at statement ${earlier.statementsApplied + 1} of ${planFor(m).statements.length}: ${before}`,
            );
          }
          const next = work[i + 1];
          const openNext =
            batch && next && !partial.has(next.id)
              ? openingSql(base, next, planFor(next), recorded.has(next.id))
              : undefined;
          if (references && !hasReferences && /\breferences\b/i.test(m.sql)) hasReferences = true;
          const result = await applyMigration(
            {
              ...base,
              replace: recorded.has(m.id),
              opened,
              openNext,
              checkReferences: hasReferences,
              resume: earlier && { applied: earlier.statementsApplied, interrupted: earlier.state === 'interrupted' },
            },
            m,
            planFor(m),
          );
          opened = openNext !== undefined && result.status === 'applied';
          if (result.status === 'applied' && scope && startedIn !== null && scope.changedBy.test(m.sql))
            await session.exec(scope.restore(startedIn));
          report.migrations.push(result);
          if (result.status === 'failed') {
            report.status = 'failed';
            break;
          }
          report.to = m.version;
          report.status = 'migrated';
        }
      },
      options.signal,
      started,
    );
  });

  report.durationMs = Date.now() - started;
  if (report.status === 'refused') throw refusal(report);
  if (report.status === 'failed') throw failed(report, report.migrations.at(-1)!);
  if (report.status === 'interrupted') {
    const done = report.migrations.length;
    throw new MoltError(
      'INTERRUPTED',
      `Interrupted: ${done} migration${done === 1 ? '' : 's'} applied (now at ${report.to ?? 'empty'}), ${report.remaining!.length} left for the next run`,
      {
        hint: 'Nothing is half-applied; run migrate again to go on',
        details: { report },
      },
    );
  }
  const applied = report.migrations.length;
  if (report.status === 'migrated') {
    ctx.log.info(
      `database migrated from ${report.from ?? 'empty'} to ${report.to} (${applied} migration${applied === 1 ? '' : 's'}, ${report.durationMs} ms)`,
    );
  } else if (report.status === 'up_to_date') {
    ctx.log.info(`database is up to date at ${report.to ?? 'empty'}`);
  }
  return report;
}

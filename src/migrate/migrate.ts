import { MoltError } from '../errors.js';
import { planExecution, type ExecutionPlan } from './execution-plan.js';
import { compareVersions, type Migration } from './migration.js';
import type { MigrateReport } from './report.js';
import { applyMigration, type MigrationResult } from './runner.js';
import { verify } from './status.js';
import { openContext, withLock, withSession, type CommonOptions } from './context.js';
import { judge, type Verdict } from './verdict.js';

/** Options of `migrate`. */
export interface MigrateOptions extends CommonOptions {
  /** `expand` stops before the first contract migration; `all` (default) applies everything. */
  phase?: 'expand' | 'all';
  /** Apply up to and including this version. */
  target?: string;
  /** Show what would run; write nothing and take no lock. */
  dryRun?: boolean;
  /** `migrate` (default) applies, `verify` only checks (replicas that must not migrate), `off` does nothing. */
  mode?: 'migrate' | 'verify' | 'off';
}

/** Newest applied version in a verdict, for "migrated from X to Y". */
function newest(verdict: Pick<Verdict, 'applied' | 'unknown'>): string | null {
  const all = [...verdict.applied, ...verdict.unknown];
  return all.length === 0 ? null : all.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b)).version;
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

function refusal(report: MigrateReport): MoltError {
  const first = report.problems[0];
  return new MoltError('DRIFT', `Refusing to migrate ${report.database}: ${report.problems.length} problem(s); first: ${first.message}`, {
    hint: first.hint,
    details: { report },
  });
}

function failed(report: MigrateReport, result: MigrationResult): MoltError {
  const e = result.error!;
  const where = `${result.source}:${e.line} (statement ${e.statement} of ${result.statements})`;
  return new MoltError('MIGRATION_FAILED', `Migration ${result.version}_${result.name} failed at ${where}: ${e.message}`, {
    hint: e.partial
      ? `${e.statementsApplied} statement(s) stayed applied. Run \`molt status\` for the repair steps`
      : 'Nothing of this migration stayed applied. Fix the file and run migrate again',
    details: { report },
  });
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
    return { ...empty, status: 'up_to_date', database: status.database, from: status.current, to: status.current, warnings: status.warnings, durationMs: Date.now() - started };
  }
  const ctx = await openContext(options, options.mode !== 'off');
  const report: MigrateReport = { ...empty, status: 'up_to_date', database: ctx.driver.displayUrl };
  if (options.mode === 'off') {
    report.status = 'skipped';
    return report;
  }
  const allowOutOfOrder = ctx.config.allowOutOfOrder;
  const plans = new Map<string, ExecutionPlan>();
  const planFor = (m: Migration): ExecutionPlan => {
    let plan = plans.get(m.id);
    if (!plan) plans.set(m.id, (plan = planExecution(m, ctx.driver.sql, ctx.driver.capabilities)));
    return plan;
  };

  await withSession(ctx, async (session, history) => {
    if (options.dryRun) {
      const verdict = judge(ctx.migrations, await history.read(), { allowOutOfOrder });
      report.status = 'dry_run';
      report.from = report.to = newest(verdict);
      report.problems = verdict.problems;
      report.warnings = verdict.warnings;
      report.migrations = selectWork(verdict.pending, options).map((m) => {
        const plan = planFor(m);
        return { version: m.version, name: m.name, phase: m.phase, source: m.source, status: 'pending', mode: plan.mode, statements: plan.statements.length, durationMs: 0 };
      });
      return;
    }
    await withLock(ctx, session, history, async () => {
      // Read again under the lock: another process may have migrated while this one waited.
      const rows = await history.read();
      const recorded = new Set(rows.map((r) => `${r.version}_${r.name}`));
      const verdict = judge(ctx.migrations, rows, { allowOutOfOrder });
      report.from = report.to = newest(verdict);
      report.warnings = verdict.warnings;
      for (const w of verdict.warnings) ctx.log.warn(w);
      if (verdict.problems.length > 0) {
        report.status = 'refused';
        report.problems = verdict.problems;
        return;
      }
      const work = selectWork(verdict.pending, options);
      work.forEach(planFor); // a file that cannot run fails here, before anything is applied
      for (const m of work) {
        options.signal?.throwIfAborted();
        const result = await applyMigration({ session, history, sql: ctx.driver.sql, appVersion: ctx.appVersion, moltVersion: ctx.moltVersion, host: ctx.host, replace: recorded.has(m.id) }, m, planFor(m));
        report.migrations.push(result);
        if (result.status === 'failed') {
          report.status = 'failed';
          break;
        }
        report.to = m.version;
        report.status = 'migrated';
      }
    }, options.signal);
  });

  report.durationMs = Date.now() - started;
  if (report.status === 'refused') throw refusal(report);
  if (report.status === 'failed') throw failed(report, report.migrations.at(-1)!);
  const applied = report.migrations.length;
  if (report.status === 'migrated') {
    ctx.log.info(`database migrated from ${report.from ?? 'empty'} to ${report.to} (${applied} migration${applied === 1 ? '' : 's'}, ${report.durationMs} ms)`);
  } else if (report.status === 'up_to_date') {
    ctx.log.info(`database is up to date at ${report.to ?? 'empty'}`);
  }
  return report;
}

import { MoltError } from '../errors.js';
import type { MoltConfig } from '../config/config.js';
import type { Capabilities, Driver, Session } from '../drivers/types.js';
import type { Outcome } from '../outcome.js';
import { foreignTables, notEmptyError, nothingRecorded } from './adoption.js';
import { openContext, withLock, withSession, type CommonOptions, type RunContext } from './context.js';
import { planner, type ExecutionPlan } from './execution-plan.js';
import type { History, HistoryRow } from './history.js';
import type { LiveInstance } from './instances-table.js';
import type { Migration } from './migration.js';
import { assertTarget, pendingFrom, type Pending, type SelectOptions } from './pending.js';
import type { MigrateReport } from './report.js';
import { assertSum } from './sum.js';
import { idOf } from './vocabulary.js';
import { waitLine } from './waits.js';

/** Options of `migrate`. */
export interface MigrateOptions extends CommonOptions, Omit<SelectOptions, 'allowOutOfOrder'> {
  /** Migrate a database that has tables but no history (they belong to something else); otherwise that is refused. */
  allowNonEmpty?: boolean;
  /** Show what would run; write nothing and take no lock. */
  dryRun?: boolean;
  /**
   * Run contract migrations now even when live instances of a release that does not know them would break; without
   * it such a migration waits (`heldBack`, why `waiting`) until those instances are gone.
   */
  force?: boolean;
  /**
   * Runs under the lock after the drift check, when there is something to apply and before the first
   * migration; returns the backup file it wrote, or null. `molt`'s own `migrate` wires the automatic backup here.
   */
  beforeApply?: (info: {
    from: string | null;
    pending: number;
    config: MoltConfig;
    kind: Driver['kind'];
    capabilities: Capabilities;
  }) => Promise<string | null>;
}

/** The error a migrate report that did not succeed stands for (refused, failed, interrupted); null when it succeeded. */
export function migrateError(report: MigrateReport): MoltError | null {
  const details = { report };
  if (report.status === 'refused') {
    const first = report.problems[0];
    return new MoltError(
      'DRIFT',
      `Refusing to migrate ${report.database}: ${report.problems.length} problem(s); first: ${first.message}`,
      { hint: first.hint, details },
    );
  }
  if (report.status === 'failed') {
    const result = report.migrations.at(-1)!;
    const e = result.error!;
    const where = `${result.source}:${e.line} (statement ${e.statement} of ${result.statements})`;
    const hint = e.inRegion
      ? `Statements ${e.inRegion.from} to ${e.inRegion.to - 1} of the LOCK TABLES region ran and committed one by one before statement ${e.inRegion.to} failed, so the region cannot simply run again. Finish or undo them by hand, then run \`molt repair --resolve applied\` or \`molt repair --resolve rolled-back\``
      : e.inFlightBefore
        ? `Statement ${e.statement} was running when an earlier attempt died, so it may have taken effect already. If the database has its effect, finish the rest by hand and run \`molt repair --resolve applied\``
        : e.partial || e.statementsApplied > 0
          ? `Statements 1 to ${e.statementsApplied} stayed applied and are recorded. Fix statement ${e.statement} in the file (leave the ones before it as they are) and run migrate again: it resumes at statement ${e.statement}`
          : 'Nothing of this migration stayed applied. Fix the file and run migrate again';
    return new MoltError('MIGRATION_FAILED', `Migration ${idOf(result)} failed at ${where}: ${e.message}`, {
      hint,
      details,
    });
  }
  if (report.status === 'interrupted') {
    const done = report.migrations.length;
    return new MoltError(
      'INTERRUPTED',
      `Interrupted: ${done} migration${done === 1 ? '' : 's'} applied (now at ${report.to ?? 'empty'}), ${report.remaining!.length} left for the next run`,
      { hint: 'Nothing is half-applied; run migrate again to go on', details },
    );
  }
  return null;
}

/** The report's versions, warnings and held-back list, as a pending decision gives them. */
function reportOf(ctx: RunContext, decided: Pending, status: MigrateReport['status']): MigrateReport {
  const report: MigrateReport = {
    status,
    database: ctx.driver.displayUrl,
    from: decided.from,
    to: decided.from,
    migrations: [],
    problems: status === 'refused' || status === 'dry_run' ? decided.verdict.problems : [],
    warnings: decided.verdict.warnings,
    durationMs: 0,
  };
  if (decided.heldBack.length > 0) report.heldBack = decided.heldBack;
  return report;
}

/** What a dry run reports: the verdict, and each selected migration as it would run. */
function dryRunReport(ctx: RunContext, decided: Pending, planOf: (m: Migration) => ExecutionPlan): MigrateReport {
  const report = reportOf(ctx, decided, 'dry_run');
  // A dry run lists what would run, as it always has, and what waits for live instances.
  const waiting = decided.heldBack.filter((h) => h.why === 'waiting');
  if (waiting.length > 0) report.heldBack = waiting;
  else delete report.heldBack;
  report.migrations = decided.selected.map((m) => {
    const plan = planOf(m);
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
  return report;
}

/**
 * Under the lock, with the decision made there: refuses on a problem, on a database whose tables are not these
 * migrations', then takes the automatic backup and applies the work.
 */
async function applyDecided(
  ctx: RunContext,
  session: Session,
  history: History,
  decided: Pending,
  options: MigrateOptions,
): Promise<MigrateReport> {
  for (const w of decided.verdict.warnings) ctx.log.warn(w);
  if (decided.verdict.problems.length > 0) return reportOf(ctx, decided, 'refused');
  const report = reportOf(ctx, decided, 'up_to_date');
  const { work } = decided;
  if (work.length === 0) return report;
  if (!options.allowNonEmpty && nothingRecorded(decided.verdict)) {
    const tables = await foreignTables(session, ctx.driver.sql, ctx.config.table);
    if (tables.length > 0) throw notEmptyError(ctx.driver.displayUrl, tables, ctx.migrations[0]?.version);
  }
  if (options.beforeApply)
    report.backup = await options.beforeApply({
      from: report.from,
      pending: work.length,
      config: ctx.config,
      kind: ctx.driver.kind,
      capabilities: ctx.driver.capabilities,
    });
  // The runner loads only when there is work: almost every boot finds none.
  const { apply } = await import('./apply.js');
  const done = await apply({ ...ctx, session, history }, work, options.signal);
  report.migrations = done.results;
  const applied = done.results.filter((r) => r.status === 'applied');
  if (applied.length > 0) report.to = applied.at(-1)!.version;
  report.status = done.status === 'applied' ? 'migrated' : done.status;
  if (done.status === 'interrupted')
    report.remaining = done.remaining.map((w) => ({ version: w.migration.version, name: w.migration.name }));
  return report;
}

/**
 * Reads the history once and decides what `migrate` would do, without the lock and without writing: the drift
 * verdict, the selected migrations with their execution plans and resume points, and what is held back.
 * @example
 * const { verdict, work } = await pending({ dir: './migrations', phase: 'expand' });
 * console.log(verdict.problems.length, work.map((w) => w.migration.id));
 */
export async function pending(options: Omit<MigrateOptions, 'beforeApply' | 'dryRun'> = {}): Promise<Pending> {
  const { ctx, decide } = await openDecision(options);
  return withSession(ctx, async (_session, history) => decide(await history.read(), history), { writes: false });
}

/** What `pending` and a run share: the context with `target` checked, one planner, and the decision over history rows. */
async function openDecision(options: MigrateOptions): Promise<{
  ctx: RunContext;
  planOf: (m: Migration) => ExecutionPlan;
  decide: (rows: readonly HistoryRow[], history: History, planWork?: boolean) => Promise<Pending>;
}> {
  const ctx = await openContext(options);
  if (options.target !== undefined) assertTarget(options.target, ctx.migrations);
  const planOf = planner(ctx.driver.sql, ctx.driver.capabilities);
  const select = { ...options, allowOutOfOrder: ctx.config.allowOutOfOrder };
  const decide = async (rows: readonly HistoryRow[], history: History, planWork = true): Promise<Pending> => {
    const first = pendingFrom(ctx.migrations, rows, { ...select, planWork: false }, planOf);
    // The instances are read only when a contract migration is selected: almost every boot has none to run.
    const live = await liveFor(first, history, options.force);
    if (!live && !planWork) return first;
    return pendingFrom(ctx.migrations, rows, { ...select, planWork, live }, planOf);
  };
  return { ctx, planOf, decide };
}

/** The registered instances, when a selected contract migration could have to wait for them; none under `force`. */
async function liveFor(decided: Pending, history: History, force?: boolean): Promise<LiveInstance[] | undefined> {
  if (force || !decided.selected.some((m) => m.phase === 'contract')) return undefined;
  return history.instances().list();
}

/**
 * The migration engine, without the automatic backup (`moltkit`'s `migrate` adds it; `beforeApply` is the hook).
 * Brings the database to the newest migration (or `target`), exactly once across every process: the drift check
 * first, then one migration at a time under the lock. The outcome's report says what happened; its error is set
 * when the run refused, a migration failed or an interrupt stopped it (`orThrow` turns that into a throw). It throws
 * only when it cannot start: bad settings or files, no database, the lock not had in time.
 * @example
 * const { report, error } = await runMigrations({ dir: './migrations' });
 * if (error) console.error(error.message, error.hint);
 */
export async function runMigrations(options: MigrateOptions = {}): Promise<Outcome<MigrateReport>> {
  const started = Date.now();
  const { ctx, planOf, decide } = await openDecision(options);
  // Files edited after `molt sum` are refused before anything touches the database.
  if (!options.bundle) assertSum(ctx.config.dir, ctx.migrations, (line) => ctx.log.warn(line));

  const report = await withSession(ctx, async (session, history): Promise<MigrateReport> => {
    if (options.dryRun) return dryRunReport(ctx, await decide(await history.read(), history), planOf);
    // Nothing to do is what almost every boot finds: two reads decide it (molt's own tables are current, nothing is
    // pending), and a replica does not queue for the lock behind another that is migrating only to find the work
    // done. Anything else is decided again under the lock, where molt's own tables are created or moved forward.
    // Where the lock is the database's write lock, another process migrating can keep even this read waiting: the
    // lock path below then waits for it, within --lock-timeout, instead of failing here.
    const rows = await history.read().catch((error: unknown) => {
      if (error instanceof MoltError && error.code === 'LOCK_TIMEOUT') return null;
      throw error;
    });
    const before = rows && (await decide(rows, history, false));
    if (
      before &&
      before.verdict.problems.length === 0 &&
      before.verdict.partial.length === 0 &&
      before.selected.length === 0 &&
      (await history.isCurrent())
    ) {
      for (const w of before.verdict.warnings) ctx.log.warn(w);
      return reportOf(ctx, before, 'up_to_date');
    }
    // Decided again under the lock: another process may have migrated while this one waited.
    const underLock = async () =>
      applyDecided(ctx, session, history, await decide(await history.read(), history), options);
    return withLock(ctx, session, history, underLock, options.signal, started);
  });

  report.durationMs = Date.now() - started;
  const error = migrateError(report);
  const applied = report.migrations.length;
  for (const held of report.heldBack ?? []) if (held.waitsFor) ctx.log.info(waitLine(idOf(held), held.waitsFor));
  if (report.status === 'migrated') {
    ctx.log.info(
      `database migrated from ${report.from ?? 'empty'} to ${report.to} (${applied} migration${applied === 1 ? '' : 's'}, ${report.durationMs} ms)`,
    );
  } else if (report.status === 'up_to_date') {
    ctx.log.info(`database is up to date at ${report.to ?? 'empty'}`);
  }
  return error ? { report, error } : { report };
}

import { MoltError } from '../errors.js';
import { currentHolder } from './lock.js';
import type { Outcome } from '../outcome.js';
import type { StatusReport } from './report.js';
import { openContext, withSession, type CommonOptions } from './context.js';
import { planner } from './execution-plan.js';
import { judge } from './verdict.js';
import { foreignTables, notEmptyError, nothingRecorded } from './adoption.js';
import { idOf, newestVersion } from './vocabulary.js';
import { blockersOf } from './waits.js';

/**
 * Reads the history and compares it with the migration set; writes nothing. Its `status` is `clean`, `pending` or
 * `drift`, and none of them is an error: `verify` is the gate.
 * @example
 * const { current, pending, problems } = await status({ dir: './migrations' });
 */
export async function status(options: CommonOptions = {}): Promise<StatusReport> {
  const ctx = await openContext(options);
  return withSession(
    ctx,
    async (session, history) => {
      const planFor = planner(ctx.driver.sql, ctx.driver.capabilities);
      const rows = await history.read();
      const verdict = judge(ctx.migrations, rows, { allowOutOfOrder: ctx.config.allowOutOfOrder, planOf: planFor });
      const rowOf = new Map(rows.map((r) => [idOf(r), r]));
      const applied = [...verdict.applied, ...verdict.unknown];
      const instances = await history.instances().list();
      if (verdict.pending.length > 0 && nothingRecorded(verdict)) {
        const tables = await foreignTables(session, ctx.driver.sql, ctx.config.table);
        if (tables.length > 0) {
          const error = notEmptyError(ctx.driver.displayUrl, tables, ctx.migrations[0]?.version);
          verdict.problems.push({
            code: 'not_baselined',
            version: verdict.pending[0].version,
            name: verdict.pending[0].name,
            message: error.message,
            hint: error.hint!,
          });
        }
      }
      return {
        status: verdict.problems.length > 0 ? 'drift' : verdict.pending.length > 0 ? 'pending' : 'clean',
        database: ctx.driver.displayUrl,
        applied: verdict.applied.map((m) => {
          const row = rowOf.get(idOf(m));
          return {
            ...m,
            status: row?.status ?? 'success',
            appliedAt: row?.finishedAt ?? null,
            durationMs: row?.durationMs ?? null,
            appVersion: row?.appVersion ?? null,
            host: row?.host ?? null,
          };
        }),
        pending: verdict.pending.map((m) => {
          const waitsFor = m.phase === 'contract' ? blockersOf(m, instances) : [];
          return { version: m.version, name: m.name, phase: m.phase, ...(waitsFor.length > 0 ? { waitsFor } : {}) };
        }),
        unknown: verdict.unknown.map((u) => ({ version: u.version, name: u.name, phase: u.phase })),
        partial: verdict.partial,
        problems: verdict.problems,
        warnings: verdict.warnings,
        current: newestVersion(applied),
        lock: await currentHolder(ctx.driver, session, history),
        instances,
      };
    },
    { writes: false },
  );
}

/** The error a status report stands for where a gate needs the database to fit: drift or pending work; else null. */
export function verifyError(report: StatusReport): MoltError | null {
  if (report.problems.length > 0) {
    return new MoltError(
      'DRIFT',
      `Database ${report.database} does not match this binary: ${report.problems[0].message}`,
      { hint: report.problems[0].hint, details: { report } },
    );
  }
  // Contract migrations run after the roll, so this binary does not need them: pending ones pass the gate as long as
  // no expand migration waits behind them.
  const needed = report.pending.filter((m) => m.phase !== 'contract');
  if (needed.length > 0) {
    return new MoltError(
      'PENDING',
      `Database ${report.database} has ${needed.length} pending migration(s), first ${idOf(needed[0])}`,
      {
        hint: 'Run `molt migrate` (or start one instance with migrations on) before starting this one',
        details: { report },
      },
    );
  }
  return null;
}

/**
 * The startup gate for replicas that must not migrate: its error is set unless nothing is pending and there is no
 * problem (a newer schema passes when every unknown migration is expand).
 * @example
 * orThrow(await verify({ dir: './migrations' })); // throws DRIFT or PENDING
 */
export async function verify(options: CommonOptions = {}): Promise<Outcome<StatusReport>> {
  const report = await status(options);
  const error = verifyError(report);
  return error ? { report, error } : { report };
}

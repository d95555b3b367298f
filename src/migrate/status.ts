import { MoltError } from '../errors.js';
import { currentHolder } from './lock.js';
import { compareVersions } from './migration.js';
import type { StatusReport } from './report.js';
import { openContext, withSession, type CommonOptions } from './context.js';
import { planner } from './execution-plan.js';
import { judge } from './verdict.js';
import { foreignTables, notEmptyError, nothingRecorded } from './adoption.js';

/** Reads the history and compares it with the migration set; writes nothing. */
export async function status(options: CommonOptions = {}): Promise<StatusReport> {
  const ctx = await openContext(options);
  return withSession(
    ctx,
    async (session, history) => {
      const planFor = planner(ctx.driver.sql, ctx.driver.capabilities);
      const rows = await history.read();
      const verdict = judge(ctx.migrations, rows, { allowOutOfOrder: ctx.config.allowOutOfOrder, planOf: planFor });
      const rowOf = new Map(rows.map((r) => [`${r.version}_${r.name}`, r]));
      const applied = [...verdict.applied, ...verdict.unknown];
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
      const current =
        applied.length === 0
          ? null
          : applied.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b)).version;
      return {
        database: ctx.driver.displayUrl,
        applied: verdict.applied.map((m) => {
          const row = rowOf.get(`${m.version}_${m.name}`);
          return {
            ...m,
            status: row?.status ?? 'success',
            appliedAt: row?.finishedAt ?? null,
            durationMs: row?.durationMs ?? null,
            appVersion: row?.appVersion ?? null,
            host: row?.host ?? null,
          };
        }),
        pending: verdict.pending.map((m) => ({ version: m.version, name: m.name, phase: m.phase })),
        unknown: verdict.unknown.map((u) => ({ version: u.version, name: u.name, phase: u.phase })),
        partial: verdict.partial,
        problems: verdict.problems,
        warnings: verdict.warnings,
        current,
        lock: await currentHolder(ctx.driver, session, history),
      };
    },
    { writes: false },
  );
}

/**
 * The startup gate for replicas that must not migrate: passes when nothing is pending and there is
 * no problem (a newer schema passes when every unknown migration is expand); otherwise throws.
 */
export async function verify(options: CommonOptions = {}): Promise<StatusReport> {
  const report = await status(options);
  if (report.problems.length > 0) {
    throw new MoltError(
      'DRIFT',
      `Database ${report.database} does not match this binary: ${report.problems[0].message}`,
      {
        hint: report.problems[0].hint,
        details: { report },
      },
    );
  }
  if (report.pending.length > 0) {
    throw new MoltError(
      'PENDING',
      `Database ${report.database} has ${report.pending.length} pending migration(s), first ${report.pending[0].version}_${report.pending[0].name}`,
      {
        hint: 'Run `molt migrate` (or start one instance with migrations on) before starting this one',
        details: { report },
      },
    );
  }
  return report;
}

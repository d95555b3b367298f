import { existsSync } from 'node:fs';
import type { ArchiveSummary, RestoreReport } from '../backup/index.js';
import { resolveConfig } from '../config/config.js';
import { MoltError } from '../errors.js';
import { idOf, judge, planner, type CommonOptions } from '../migrate/internal.js';
import type { Outcome } from '../outcome.js';
import { readReleaseState } from './state.js';
import { earlierReleases, rollbackVerdict, type RollbackVerdict } from './verdicts.js';

/** Options of `rollback`. */
export interface RollbackOptions extends CommonOptions {
  /** The app version to go back to: one that ran on this database. */
  to: string;
  /** When the verdict is a restore, run it (after `confirm`, or with `yes`). */
  restore?: boolean;
  yes?: boolean;
  /** Asked with the archive's summary before the restore replaces anything. */
  confirm?: (summary: ArchiveSummary) => Promise<boolean>;
}

/** What `rollback` found, and did. */
export interface RollbackReport {
  /** The verdict's, or `restored` once `restore` ran it. */
  status: RollbackVerdict['verdict'] | 'restored';
  database: string;
  to: string;
  verdict: RollbackVerdict;
  /** The command that restores the archive the verdict names; null when none is needed or none exists. */
  restoreCommand: string | null;
  /** What the restore did, when it ran. */
  restored: { file: string; target: string; schemaVersion: string | null; previous: string | null } | null;
}

const shellQuote = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Says whether the release `to` may simply be started again on this database ("image rollback safe", and until which
 * contract migration), or needs a restore (which archive, what is lost), and with `restore` runs that restore. It
 * never runs down migrations: molt has none, since a contract migration's data is gone.
 * @example
 * const { report } = await rollback({ to: '1.0.0' });
 * console.log(report.verdict.summary, report.restoreCommand);
 */
export async function rollback(options: RollbackOptions): Promise<Outcome<RollbackReport>> {
  if (!options.to)
    throw new MoltError('USAGE', 'rollback needs the version to go back to', { hint: 'molt rollback --to 1.2.0' });
  // The migration set only says which contract migration would end a safe image rollback; without one there is none.
  const dir = resolveConfig(options, { cwd: options.cwd ?? process.cwd() }).dir;
  const state = await readReleaseState(options, existsSync(dir));
  const { ctx, rows, live } = state;
  const releases = earlierReleases(rows, state.releases, live, null);
  const release = releases.find((r) => r.appVersion === options.to);
  if (!release) {
    throw new MoltError('USAGE', `--to ${options.to}: no release of that version ran on ${ctx.driver.displayUrl}`, {
      hint: releases.length
        ? `Releases this database has seen: ${releases.map((r) => r.appVersion).join(', ')}`
        : 'The history names no app version; `molt status` shows what it recorded',
      details: { to: options.to, known: releases.map((r) => r.appVersion) },
    });
  }
  const planOf = planner(ctx.driver.sql, ctx.driver.capabilities);
  const pending = ctx.migrations.length ? judge(ctx.migrations, rows, { allowOutOfOrder: true, planOf }).pending : [];
  const verdict = rollbackVerdict(
    release,
    rows,
    pending.map((m) => ({ id: idOf(m), phase: m.phase })),
    state.archives,
  );
  const report: RollbackReport = {
    status: verdict.verdict,
    database: ctx.driver.displayUrl,
    to: options.to,
    verdict,
    restoreCommand:
      verdict.verdict === 'needs_restore' && verdict.backup ? `molt restore ${shellQuote(verdict.backup.file)}` : null,
    restored: null,
  };
  if (!options.restore || verdict.verdict !== 'needs_restore' || !verdict.backup) return { report };
  const { restore } = await import('../backup/index.js');
  const done: RestoreReport = await restore({
    ...options,
    file: verdict.backup.file,
    yes: options.yes,
    confirm: options.confirm,
  });
  report.status = 'restored';
  report.restored = {
    file: done.summary.file,
    target: done.target,
    schemaVersion: done.summary.schemaVersion,
    previous: done.previous ?? null,
  };
  return { report };
}

/**
 * The rollback verdict of every release this database has seen (the newest applied one's included), without lint:
 * what the console shows beside the schema.
 * @example
 * for (const v of await rollbackVerdicts({ db })) console.log(v.appVersion, v.summary);
 */
export async function rollbackVerdicts(options: CommonOptions = {}): Promise<RollbackVerdict[]> {
  const dir = resolveConfig(options, { cwd: options.cwd ?? process.cwd() }).dir;
  const state = await readReleaseState(options, existsSync(dir));
  const { ctx, rows, live } = state;
  const planOf = planner(ctx.driver.sql, ctx.driver.capabilities);
  const pending = ctx.migrations.length ? judge(ctx.migrations, rows, { allowOutOfOrder: true, planOf }).pending : [];
  const toRun = pending.map((m) => ({ id: idOf(m), phase: m.phase }));
  return earlierReleases(rows, state.releases, live, null).map((release) =>
    rollbackVerdict(release, rows, toRun, state.archives),
  );
}

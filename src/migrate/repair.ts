import { MoltError } from '../errors.js';
import { openContext, withLock, withSession, type CommonOptions } from './context.js';
import { idOf, isApplied } from './vocabulary.js';

/** One change `repair` makes to the history. */
export interface RepairAction {
  version: string;
  name: string;
  action: 'realign_checksum' | 'mark_applied' | 'mark_rolled_back';
  detail: string;
}

/** The outcome of `repair`. */
export interface RepairReport {
  /** `nothing` to repair, `repaired`, or `unconfirmed`: changes listed that nobody confirmed (exit 9). */
  status: 'nothing' | 'repaired' | 'unconfirmed';
  database: string;
  actions: RepairAction[];
  /** False when the actions were only listed, waiting for confirmation. */
  applied: boolean;
}

/** Options of `repair`. */
export interface RepairOptions extends CommonOptions {
  /** How to settle failed or interrupted migrations after a person fixed the schema by hand. */
  resolve?: 'applied' | 'rolled-back';
  /** Confirms the actions; without it `repair` only lists them. */
  yes?: boolean;
  /** Asked with the actions when `yes` is not set; return true to go ahead. */
  confirm?: (actions: RepairAction[]) => Promise<boolean>;
}

/**
 * Realigns the history with the files after a confirmed change: records the new checksum of edited
 * migrations, and settles failed ones as applied or rolled back. Lists first, writes only when confirmed.
 * @example
 * const report = await repair({ resolve: 'applied', yes: true });
 * console.log(report.status, report.actions.map((a) => a.detail));
 */
export async function repair(options: RepairOptions = {}): Promise<RepairReport> {
  const ctx = await openContext(options);
  const byId = new Map(ctx.migrations.map((m) => [m.id, m]));
  const report: RepairReport = { status: 'nothing', database: ctx.driver.displayUrl, actions: [], applied: false };
  await withSession(ctx, async (session, history) => {
    await withLock(ctx, session, history, async () => {
      const rows = await history.read();
      const unsettled = rows.filter((r) => r.status === 'failed' || r.status === 'running');
      if (unsettled.length > 0 && !options.resolve) {
        throw new MoltError(
          'REPAIR_REFUSED',
          `${unsettled.length} migration(s) failed part-way: ${unsettled.map(idOf).join(', ')}`,
          {
            hint: 'Fix the schema by hand, then say what you did: `molt repair --resolve applied` (you finished it) or `--resolve rolled-back` (you undid it)',
            details: {
              failed: unsettled.map((r) => ({
                version: r.version,
                name: r.name,
                statementsApplied: r.statementsApplied,
                statementsTotal: r.statementsTotal,
                error: r.error,
              })),
            },
          },
        );
      }
      for (const r of unsettled) {
        const id = idOf(r);
        report.actions.push(
          options.resolve === 'applied'
            ? {
                version: r.version,
                name: r.name,
                action: 'mark_applied',
                detail: `record ${id} as applied (finished by hand)`,
              }
            : {
                version: r.version,
                name: r.name,
                action: 'mark_rolled_back',
                detail: `forget ${id}; it runs again on the next migrate`,
              },
        );
      }
      for (const r of rows) {
        const m = byId.get(idOf(r));
        if (!m || !isApplied(r)) continue;
        if (r.checksum !== m.checksum || r.rawHash !== m.rawHash) {
          report.actions.push({
            version: r.version,
            name: r.name,
            action: 'realign_checksum',
            detail: `record the current bytes of ${m.source} (${r.checksum === m.checksum ? 'cosmetic change' : 'content changed'})`,
          });
        }
      }
      if (report.actions.length === 0) return;
      const go = options.yes || (options.confirm ? await options.confirm(report.actions) : false);
      if (!go) return;
      await session.begin();
      for (const a of report.actions) {
        const m = byId.get(idOf(a));
        if (a.action === 'mark_rolled_back') await history.remove(a.version, a.name);
        else
          await history.update(a.version, a.name, {
            status: 'success',
            checksum: m?.checksum ?? null,
            rawHash: m?.rawHash ?? null,
            ...(a.action === 'mark_applied' ? { error: null, finishedAt: new Date().toISOString() } : {}),
          });
      }
      await session.commit();
      report.applied = true;
    });
  });
  if (report.applied) ctx.log.info(`repair recorded ${report.actions.length} change(s)`);
  report.status = report.actions.length === 0 ? 'nothing' : report.applied ? 'repaired' : 'unconfirmed';
  return report;
}

import { MoltError } from '../errors.js';
import { compareVersions } from './migration.js';
import { openContext, withLock, withSession, type CommonOptions } from './context.js';
import { newRow } from './vocabulary.js';

/** The outcome of `baseline`. */
export interface BaselineReport {
  database: string;
  version: string;
  /** Migrations recorded as applied without running them. */
  marked: { version: string; name: string }[];
}

/**
 * Adopts an existing database: records every migration up to `version` as applied, without running it.
 * @example
 * await baseline('0042', { db: 'postgres://app@db/app', dir: './migrations' });
 */
export async function baseline(version: string, options: CommonOptions = {}): Promise<BaselineReport> {
  if (!/^\d+$/.test(version)) {
    throw new MoltError('USAGE', `Baseline version "${version}" is not a version`, {
      hint: 'Give the digits of the last migration the database already has, e.g. 0042',
    });
  }
  const ctx = await openContext(options);
  const marked = ctx.migrations.filter((m) => compareVersions(m.version, version) <= 0);
  if (!ctx.migrations.some((m) => compareVersions(m.version, version) === 0)) {
    const below = marked.at(-1);
    throw new MoltError('BASELINE_REFUSED', `No migration has version ${version}`, {
      hint: `Name the version of the newest migration file the database already reflects${below ? ` (the nearest below ${version} is ${below.id})` : ''}; \`molt status\` lists them`,
      details: { version },
    });
  }
  await withSession(ctx, async (session, history) => {
    await withLock(ctx, session, history, async () => {
      const rows = await history.read();
      // Attempts that failed before any statement took effect (a first migrate that met the existing tables) are
      // no record of a schema; anything else is, and baseline never writes over it.
      const tookEffect = rows.filter(
        (r) => !(r.status === 'rolled_back' || (r.status === 'failed' && !r.statementsApplied)),
      );
      if (tookEffect.length > 0) {
        throw new MoltError(
          'BASELINE_REFUSED',
          `The history in ${ctx.driver.displayUrl} already records ${tookEffect.length} migration(s) (first ${tookEffect[0].version}_${tookEffect[0].name}, ${tookEffect[0].status}); baseline only adopts a database molt has never migrated`,
          {
            hint: 'Run `molt status` to see what is recorded',
          },
        );
      }
      await session.begin();
      for (const r of rows) await history.remove(r.version, r.name);
      const now = new Date().toISOString();
      for (const m of marked) {
        await history.put(newRow(m, ctx, { status: 'baseline', startedAt: now, finishedAt: now, durationMs: 0 }));
      }
      await session.commit();
    });
  });
  ctx.log.info(`baseline recorded at ${version} (${marked.length} migration(s) marked as applied)`);
  return {
    database: ctx.driver.displayUrl,
    version,
    marked: marked.map((m) => ({ version: m.version, name: m.name })),
  };
}

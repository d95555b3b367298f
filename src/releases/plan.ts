import { MoltError } from '../errors.js';
import {
  assertTarget,
  blockersOf,
  compareVersions,
  idOf,
  knowledgeOf,
  pendingFrom,
  planner,
  type CommonOptions,
  type InstanceRef,
  type Knowledge,
  type Problem,
} from '../migrate/internal.js';
import type { Outcome } from '../outcome.js';
import { readReleaseState } from './state.js';
import { earlierReleases, rollbackVerdict, type RollbackVerdict } from './verdicts.js';

/** Options of `plan`: the target release is the migrations directory (`dir`), up to `target` when given. */
export interface PlanOptions extends CommonOptions {
  /** Plan the release as of this version of its set, instead of its newest. */
  target?: string;
}

/** A lint finding on a migration of the plan. */
export interface PlanFinding {
  file: string;
  line: number;
  code: string;
  severity: string;
  /** The rule's class: `C` contract, `A` ambiguous, `U` blocking, ... */
  class: string;
  message: string;
}

/** One pending migration of the target release, and when it runs. */
export interface PlanItem {
  version: string;
  name: string;
  phase: string;
  source: string;
  statements: number;
  /** `before_roll`: at the new release's first boot, while the old release serves; `after_roll`: once it is gone. */
  runs: 'before_roll' | 'after_roll';
  /** A contract migration: the live instances it waits for now. */
  waitsFor: InstanceRef[];
  /** Lint findings (locks, rewrites, contract changes), when lint could read the file. */
  findings: PlanFinding[];
}

/** What upgrading to a release does, and what rolling back costs. */
export interface PlanReport {
  /** `rolling_safe`: every live release keeps working while the new one rolls; else `not_rolling_safe` (see `unsafe`). */
  status: 'rolling_safe' | 'not_rolling_safe';
  database: string;
  /** The target release: its migrations directory, app version, and newest version. */
  release: { dir: string; appVersion: string | null; newest: string | null };
  /** The newest applied version. */
  current: string | null;
  beforeRoll: PlanItem[];
  afterRoll: PlanItem[];
  rollingSafe: boolean;
  /** Why it is not rolling-safe, each naming the file and line where it can. */
  unsafe: { file: string | null; line: number | null; message: string }[];
  /** Live instances, by release. */
  live: { appVersion: string | null; instances: number }[];
  /** For every earlier release seen on this database. */
  rollback: RollbackVerdict[];
  problems: Problem[];
  /** Set when lint could not read the files; findings are then missing, not clean. */
  lintError: string | null;
}

/** Lint findings per migration version, from lint over the whole directory; loaded only when a plan asks. */
async function findingsByVersion(
  options: PlanOptions,
  released: string | null,
): Promise<{ byVersion: Map<string, PlanFinding[]>; error: string | null }> {
  const byVersion = new Map<string, PlanFinding[]>();
  try {
    const { lint } = await import('../lint/index.js');
    const report = await lint({ dir: options.dir, db: options.db, cwd: options.cwd, released: released ?? undefined });
    const versionOf = new Map(report.files.map((f) => [f.file, f.version]));
    for (const f of report.findings) {
      const version = versionOf.get(f.file);
      if (version === undefined) continue;
      const list = byVersion.get(version) ?? [];
      list.push({ file: f.file, line: f.line, code: f.code, severity: f.severity, class: f.class, message: f.message });
      byVersion.set(version, list);
    }
    return { byVersion, error: null };
  } catch (error) {
    return { byVersion, error: (error as Error).message };
  }
}

/** Two releases that know the same migrations are one release, whatever their app versions say. */
const sameKnowledge = (a: Knowledge | null, b: Knowledge): boolean =>
  a !== null && a.newest === b.newest && [...a.contracts].sort().join() === [...b.contracts].sort().join();

/**
 * Plans an upgrade to the release whose migrations are in `dir`, against the database and its live instances: the
 * migrations that run before the roll and after it, with statement counts and lint findings, whether the release is
 * rolling-safe, and the rollback verdict for every earlier release. Writes nothing.
 * @example
 * const { report } = await plan({ dir: './releases/2.0.0/migrations', appVersion: '2.0.0' });
 * console.log(report.status, report.rollback.map((r) => `${r.appVersion}: ${r.verdict}`));
 */
export async function plan(options: PlanOptions = {}): Promise<Outcome<PlanReport>> {
  const state = await readReleaseState(options);
  const { ctx, rows, live } = state;
  if (ctx.migrations.length === 0) {
    throw new MoltError(
      'MIGRATION_DIR_MISSING',
      `${ctx.config.dir} holds no migrations: it is not a release's migration set`,
      {
        hint: 'Point --dir at the migrations directory of the release to plan',
      },
    );
  }
  if (options.target !== undefined) assertTarget(options.target, ctx.migrations);
  const set = ctx.migrations.filter(
    (m) => options.target === undefined || compareVersions(m.version, options.target) <= 0,
  );
  const planOf = planner(ctx.driver.sql, ctx.driver.capabilities);
  // The engine's own decision with the live instances: what it selects runs at the new release's first boot, what it
  // holds back waiting runs after the roll.
  const decided = pendingFrom(
    set,
    rows,
    { allowOutOfOrder: ctx.config.allowOutOfOrder, live, planWork: false },
    planOf,
  );
  const { verdict, from: current } = decided;
  const { byVersion, error: lintError } = await findingsByVersion(options, current);
  const beforeRoll = new Set(decided.selected.map((m) => m.id));
  const items = verdict.pending.map(
    (m): PlanItem => ({
      version: m.version,
      name: m.name,
      phase: m.phase,
      source: m.source,
      statements: planOf(m).statements.length,
      runs: beforeRoll.has(m.id) ? 'before_roll' : 'after_roll',
      waitsFor: m.phase === 'contract' ? blockersOf(m, live) : [],
      findings: byVersion.get(m.version) ?? [],
    }),
  );

  const unsafe: PlanReport['unsafe'] = [];
  for (const item of items) {
    if (item.phase === 'contract') continue;
    for (const f of item.findings.filter((x) => x.severity === 'error' && /^[CA]/.test(x.class)))
      unsafe.push({ file: f.file, line: f.line, message: `${f.file}:${f.line}: ${f.message} [${f.code}]` });
    if (item.runs === 'after_roll')
      unsafe.push({
        file: item.source,
        line: null,
        message: `${idOf(item)} is an expand migration ordered after a contract migration that waits for the old release, so the new release cannot start while the old one serves`,
      });
  }
  for (const p of verdict.problems) unsafe.push({ file: null, line: null, message: p.message });

  const toRun = items.map((i) => ({ id: idOf(i), phase: i.phase }));
  const target = knowledgeOf(set);
  const rollback = earlierReleases(rows, state.releases, live, ctx.appVersion)
    .filter((r) => !sameKnowledge(r.knows, target))
    .map((r) => rollbackVerdict(r, rows, toRun, state.archives));
  const byRelease = new Map<string | null, number>();
  for (const i of live) byRelease.set(i.appVersion, (byRelease.get(i.appVersion) ?? 0) + 1);
  const rollingSafe = unsafe.length === 0;
  const report: PlanReport = {
    status: rollingSafe ? 'rolling_safe' : 'not_rolling_safe',
    database: ctx.driver.displayUrl,
    release: { dir: ctx.config.dir, appVersion: ctx.appVersion, newest: set.at(-1)?.version ?? null },
    current,
    beforeRoll: items.filter((i) => i.runs === 'before_roll'),
    afterRoll: items.filter((i) => i.runs === 'after_roll'),
    rollingSafe,
    unsafe,
    live: [...byRelease].map(([appVersion, instances]) => ({ appVersion, instances })),
    rollback,
    problems: verdict.problems,
    lintError,
  };
  return { report };
}

import { MoltError } from '../errors.js';
import type { ExecutionPlan } from './execution-plan.js';
import type { HistoryRow } from './history.js';
import { compareVersions, type Migration, type Phase } from './migration.js';
import { judge, type Verdict } from './verdict.js';
import type { LiveInstance } from './instances-table.js';
import { idOf, newestVersion } from './vocabulary.js';
import { blockersOf, type InstanceRef } from './waits.js';

/** What to select from the pending migrations. */
export interface SelectOptions {
  /** `expand` stops before the first contract migration; `all` (default) selects everything. */
  phase?: 'expand' | 'all';
  /** Select up to and including this version; it must be the version of a migration in the set. */
  target?: string;
  /** Apply a pending migration older than the newest applied one instead of refusing. */
  allowOutOfOrder?: boolean;
  /**
   * The registered instances (live and stale). A contract migration that a live instance's release does not know
   * waits, and every migration after it waits with it, so versions still apply in order. Absent: nothing waits
   * (`--force`, or a caller that has not read them because no contract migration is pending).
   */
  live?: readonly LiveInstance[];
  /**
   * False decides without planning the selected migrations, and `work` stays empty: the lock-free check before the
   * lock only asks whether anything is selected, and a file that cannot run is named under the lock.
   */
  planWork?: boolean;
}

/** A pending migration this run leaves alone on purpose, and why. */
export interface HeldBack {
  version: string;
  name: string;
  phase: Phase;
  why: 'phase' | 'target' | 'waiting';
  /** `waiting`: the live instances of releases this contract migration would break. */
  waitsFor?: InstanceRef[];
  /** `waiting` behind a contract migration that waits: that migration's id. */
  behind?: string;
}

/** One migration to apply: how it runs and where it starts. */
export interface WorkItem {
  migration: Migration;
  plan: ExecutionPlan;
  /** A previous attempt applied this many statements, checked unchanged; `interrupted` when it died instead of failing. */
  resume: { applied: number; interrupted: boolean } | null;
  /** The history has a row for it already (an attempt that rolled back or stopped part-way), to be replaced. */
  replace: boolean;
}

/** What a run would do, decided from the migration set and the history alone. */
export interface Pending {
  verdict: Verdict;
  /** The newest applied version (known or not); null on an empty history. */
  from: string | null;
  /** The selected migrations in the order they run, each planned; empty when the verdict has problems. */
  work: WorkItem[];
  /** The selected migrations, planned or not: what a dry run lists even when the verdict refuses. */
  selected: Migration[];
  heldBack: HeldBack[];
}

/** `target` names a migration of the set: a version that is not there would otherwise mean "everything before it". */
export function assertTarget(target: string, migrations: readonly Migration[]): void {
  if (/^\d+$/.test(target) && migrations.some((m) => compareVersions(m.version, target) === 0)) return;
  const nearest = migrations.filter((m) => /^\d+$/.test(target) && compareVersions(m.version, target) < 0).at(-1);
  throw new MoltError('USAGE', `--to ${target}: no migration has that version`, {
    hint: nearest
      ? `The nearest version below it is ${nearest.version} (${nearest.id}); run \`molt status\` to list them`
      : 'Run `molt status` to list the versions',
    details: { target },
  });
}

/** The pending migrations a run takes: up to `target`, and under `phase: expand` none from the first contract one on. */
function select(pending: readonly Migration[], options: SelectOptions): Migration[] {
  let work = [...pending];
  if (options.target) work = work.filter((m) => compareVersions(m.version, options.target!) <= 0);
  if (options.phase === 'expand') {
    const firstContract = work.findIndex((m) => m.phase === 'contract');
    if (firstContract !== -1) work = work.slice(0, firstContract);
  }
  return work;
}

/** The first selected contract migration a live instance would break, and what it waits for; null when none waits. */
function firstWaiting(
  selected: readonly Migration[],
  live: readonly LiveInstance[] | undefined,
): { index: number; waitsFor: InstanceRef[] } | null {
  if (!live) return null;
  for (const [index, m] of selected.entries()) {
    if (m.phase !== 'contract') continue;
    const waitsFor = blockersOf(m, live);
    if (waitsFor.length > 0) return { index, waitsFor };
  }
  return null;
}

/**
 * Decides what a run does, with no database: the drift verdict, the selected migrations with their execution plans
 * and resume points, and what is held back. Planning throws (`MIGRATION_FILE_INVALID`, ...) for a selected file that
 * cannot run, so nothing is applied before every file is known to be runnable.
 * @example
 * const rows = await history.read();
 * const { verdict, work } = pendingFrom(migrations, rows, { phase: 'expand' }, planner(driver.sql, driver.capabilities));
 */
export function pendingFrom(
  migrations: readonly Migration[],
  rows: readonly HistoryRow[],
  options: SelectOptions,
  planOf: (m: Migration) => ExecutionPlan,
): Pending {
  const verdict = judge(migrations, rows, { allowOutOfOrder: options.allowOutOfOrder, planOf });
  let selected = select(verdict.pending, options);
  const waiting = firstWaiting(selected, options.live);
  const waits = new Map<string, Pick<HeldBack, 'waitsFor' | 'behind'>>();
  if (waiting) {
    const [first, ...after] = selected.slice(waiting.index);
    waits.set(first.id, { waitsFor: waiting.waitsFor });
    for (const m of after) waits.set(m.id, { behind: first.id });
    selected = selected.slice(0, waiting.index);
  }
  const chosen = new Set(selected.map((m) => m.id));
  const heldBack = verdict.pending
    .filter((m) => !chosen.has(m.id))
    .map((m): HeldBack => {
      const wait = waits.get(m.id);
      if (wait) return { version: m.version, name: m.name, phase: m.phase, why: 'waiting', ...wait };
      const why = options.target && compareVersions(m.version, options.target) > 0 ? 'target' : 'phase';
      return { version: m.version, name: m.name, phase: m.phase, why };
    });
  const recorded = new Set(rows.map(idOf));
  const resumable = new Map(verdict.partial.filter((p) => p.resumable).map((p) => [idOf(p), p]));
  const work =
    verdict.problems.length > 0 || options.planWork === false
      ? []
      : selected.map((m) => {
          const earlier = resumable.get(m.id);
          return {
            migration: m,
            plan: planOf(m),
            resume: earlier
              ? { applied: earlier.statementsApplied, interrupted: earlier.state === 'interrupted' }
              : null,
            replace: recorded.has(m.id),
          };
        });
  return { verdict, from: newestVersion([...verdict.applied, ...verdict.unknown]), work, selected, heldBack };
}

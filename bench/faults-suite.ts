// The fault suite for one database: the reference runs, then N trials at seeded random moments, then the summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsDir } from '../test/helpers/cli.js';
import { FAULT_SETS } from './faults-sets.js';
import type { FaultTarget } from './faults-targets.js';
import {
  cleanRun,
  randomFrom,
  runTrial,
  type Fault,
  type Reference,
  type TrialContext,
  type TrialResult,
} from './faults-trial.js';

/** A median with its range, in ms. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** One database's line of the results table. */
export interface Summary {
  database: string;
  trials: number;
  sigkill: number;
  server: number;
  landedMidMigration: number;
  noKill: number;
  inDoubt: number;
  failures: number;
  inconsistencies: number;
  /** Trials whose recovery needed more than one `molt migrate`. */
  recoveredOnRetry: number;
  /** Trials whose recovery resumed a migration part-way (the statement-level path). */
  resumed: number;
  /** Wall time of the recovery `molt migrate` runs after a kill that landed: until the database was migrated. */
  recoveryMs: Spread | null;
  expectedRunMs: number;
  wallMs: number;
}

/** How to run one database's suite. */
export interface SuiteOptions {
  trials: number;
  seed: number;
  /** Clean runs measured (after one warm-up run) before the trials; the median is the window kill moments are drawn from. */
  referenceRuns: number;
  /** Fixed faults instead of seeded random ones (the CI test). */
  faults?: Fault[];
  keepBad?: boolean;
  log?: (line: string) => void;
}

/** Median, min and max of a list, or null when it is empty. */
export function spread(xs: number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)! };
}

/** Kill moments uniform over 3–90 % of a clean run, so that few runs finish before the kill; SIGKILL and server-side alternate. */
export function seededFaults(count: number, seed: number, expectedMs: number, serverSide: boolean): Fault[] {
  const random = randomFrom(seed);
  return Array.from({ length: count }, (_, i) => ({
    kind: serverSide && i % 2 === 1 ? 'server' : 'sigkill',
    atMs: Math.round(expectedMs * (0.03 + 0.87 * random())),
  }));
}

function describe(r: TrialResult, of: number, expectedMs: number): string {
  const l = r.landing;
  const when = `${r.fault.kind} at ${r.fault.atMs} ms (${Math.round((100 * r.fault.atMs) / expectedMs)}%)`;
  const where =
    l.killedAtMs === null
      ? 'run finished first'
      : `${l.stage}, ${l.applied} applied${l.partial ? `, partial ${l.partial}` : ''}${l.midMigration ? ' [mid-migration]' : ''}`;
  const rec = `recovery ${r.recovery.runs} run(s) ${Math.round(r.recovery.ms)} ms${r.recovery.resumed.length ? `, resumed ${r.recovery.resumed.join(', ')}` : ''}`;
  const bad = r.problems.length
    ? `\n  ${r.problems.join('\n  ')}`
    : r.outcome === 'failure' || r.outcome === 'in-doubt'
      ? `\n  ${r.recovery.message}`
      : '';
  return `${r.database} ${r.trial}/${of} ${when}: ${where}; killed process: ${l.exit}; ${rec} -> ${r.outcome.toUpperCase()}${bad}`;
}

/** Runs the reference and the trials on one database and sums them up; cleans up everything it made. */
export async function runDatabase(
  target: FaultTarget,
  options: SuiteOptions,
): Promise<{ summary: Summary; reference: Reference; trials: TrialResult[] }> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const set = FAULT_SETS[target.kind];
  const dir = migrationsDir(set.files);
  const backups = mkdtempSync(join(tmpdir(), 'molt-faults-backups-'));
  const env = { MOLT_BACKUP_DIR: backups };
  const admin = target.admin ? await target.admin() : null;
  try {
    // The first run warms the server's and the OS's caches; its time would stretch the kill window.
    const runs = [];
    for (let i = 0; i <= options.referenceRuns; i++) runs.push(await cleanRun(target, set, dir, env));
    for (const r of runs.slice(1)) {
      // The sets are deterministic; a reference that moves would make every comparison meaningless.
      if (r.schema !== runs[0].schema || r.checks !== runs[0].checks)
        throw new Error(`${target.label}: two clean runs of the fault set disagree`);
    }
    const runMs = runs.slice(1).map((r) => Math.round(r.ms));
    const reference: Reference = {
      files: runs[0].files,
      schema: runs[0].schema,
      checks: runs[0].checks,
      runMs,
      expectedMs: spread(runMs)!.median,
    };
    log(`${target.label}: ${reference.files.length} files, clean run ${runMs.join(', ')} ms; ${options.trials} trials`);
    const ctx: TrialContext = { target, set, dir, env, admin, reference };
    const faults = options.faults ?? seededFaults(options.trials, options.seed, reference.expectedMs, admin !== null);
    const trials: TrialResult[] = [];
    for (let i = 0; i < faults.length; i++) {
      const r = await runTrial(ctx, i + 1, faults[i], options.keepBad);
      trials.push(r);
      log(describe(r, faults.length, reference.expectedMs));
    }
    const count = (p: (t: TrialResult) => boolean): number => trials.filter(p).length;
    const landed = trials.filter((t) => t.landing.killedAtMs !== null && t.recovery.exitCodes.at(-1) === 0);
    const summary: Summary = {
      database: target.label,
      trials: trials.length,
      sigkill: count((t) => t.fault.kind === 'sigkill'),
      server: count((t) => t.fault.kind === 'server'),
      landedMidMigration: count((t) => t.landing.midMigration),
      noKill: count((t) => t.outcome === 'no-kill'),
      inDoubt: count((t) => t.outcome === 'in-doubt'),
      failures: count((t) => t.outcome === 'failure'),
      inconsistencies: count((t) => t.outcome === 'inconsistent'),
      recoveredOnRetry: count((t) => t.recovery.runs > 1 && t.recovery.exitCodes.at(-1) === 0),
      resumed: count((t) => t.recovery.resumed.length > 0),
      recoveryMs: spread(landed.map((t) => Math.round(t.recovery.ms))),
      expectedRunMs: reference.expectedMs,
      wallMs: Math.round(performance.now() - started),
    };
    return { summary, reference, trials };
  } finally {
    await admin?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  }
}

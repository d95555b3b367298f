import { spawn } from 'node:child_process';
import { backup } from '../backup/index.js';
import { MoltError } from '../errors.js';
import { idOf, isApplied, loadMigrations, runMigrations, status } from '../migrate/index.js';
import { openContext, readHistory, type CommonOptions } from '../migrate/internal.js';
import { applyContracts, plan } from '../releases/index.js';
import type { StagedRelease, UpgradeRuntime } from './runtime.js';

/** The plan for the release: refuse one that is not rolling-safe, or whose breaking notes nobody accepted. */
export async function preflightStep(
  db: CommonOptions,
  target: StagedRelease,
  acceptBreaking: boolean,
): Promise<{ detail: string }> {
  if (target.breaking.length > 0 && !acceptBreaking) {
    throw new MoltError('UPGRADE_ABORTED', `${target.version} lists breaking changes: ${target.breaking.join(' / ')}`, {
      hint: 'Read them; then run again with --accept-breaking',
      details: { breaking: target.breaking },
    });
  }
  if (!target.migrations) return { detail: 'the release has no migrations' };
  const { report, error } = await plan({ ...db, dir: target.migrations, appVersion: target.version });
  if (error) throw error;
  if (!report.rollingSafe) {
    throw new MoltError(
      'UPGRADE_ABORTED',
      `${target.version} is not rolling-safe: ${report.unsafe.map((u) => u.message).join('; ')}`,
      { hint: `molt plan --dir ${target.migrations} explains it; tag contract changes -- molt:phase contract` },
    );
  }
  const verdicts = report.rollback.map((v) => v.summary).join('; ');
  return {
    detail: `rolling-safe; ${report.beforeRoll.length} before the roll, ${report.afterRoll.length} after it${verdicts ? `; ${verdicts}` : ''}`,
  };
}

/** A verified archive of the database (and data directories) before anything changes; returns its file. */
export async function backupStep(db: CommonOptions): Promise<string> {
  return (await backup(db)).file;
}

/** The release's expand migrations against the running database; returns what it applied. */
export async function expandStep(db: CommonOptions, target: StagedRelease, runtime: UpgradeRuntime): Promise<string[]> {
  if (runtime.expand) return runtime.expand(target);
  if (!target.migrations) return [];
  const { report, error } = await runMigrations({
    ...db,
    dir: target.migrations,
    phase: 'expand',
    appVersion: target.version,
  });
  if (error) throw error;
  return report.migrations.filter((m) => m.status === 'applied').map(idOf);
}

/** Every instance runs the release and is ready, the history holds its expand migrations, the smoke command passes. */
export async function validateStep(
  db: CommonOptions,
  runtime: UpgradeRuntime,
  target: StagedRelease,
  smoke: string | undefined,
): Promise<{ detail: string }> {
  const { instances } = await runtime.current();
  const off = instances.filter((i) => i.version !== target.version || i.state !== 'ready');
  if (off.length > 0) {
    throw new MoltError(
      'UPGRADE_ABORTED',
      `not every instance runs ${target.version}: ${off.map((i) => `${i.name} ${i.version} ${i.state}`).join(', ')}`,
    );
  }
  if (target.migrations) {
    const report = await status({ ...db, dir: target.migrations });
    const missing = report.pending.filter((m) => m.phase === 'expand');
    if (missing.length > 0 || report.problems.length > 0) {
      throw new MoltError(
        'UPGRADE_ABORTED',
        `the history does not hold ${target.version}'s expand migrations: ${[...missing.map(idOf), ...report.problems.map((p) => p.message)].join('; ')}`,
      );
    }
  }
  if (smoke) await runSmoke(smoke, target);
  return { detail: `${instances.length} instance(s) ready on ${target.version}${smoke ? '; smoke passed' : ''}` };
}

/** Runs the deferred contract migrations once the old instances are gone, and says when they ran. */
export async function contractStep(
  db: CommonOptions,
  target: StagedRelease,
  waitMs: number,
): Promise<{ applied: string[]; at: string | null; detail: string }> {
  if (!target.migrations) return { applied: [], at: null, detail: 'no contract migration' };
  const contracts = loadMigrations({ dir: target.migrations }).filter((m) => m.phase === 'contract');
  if (contracts.length === 0) return { applied: [], at: null, detail: 'no contract migration' };
  const outcome = await applyContracts({ ...db, dir: target.migrations, appVersion: target.version, waitMs });
  if (outcome.error && outcome.error.code !== 'CONTRACT_WAITING') throw outcome.error;
  // The new instances may have run them first, on their heartbeat: the history says when, whoever ran them.
  const rows = await readHistory(await openContext({ ...db, dir: target.migrations }, false));
  const ran = rows.filter((r) => isApplied(r) && contracts.some((c) => idOf(c) === idOf(r)));
  const at =
    ran
      .map((r) => r.finishedAt)
      .filter(Boolean)
      .sort()
      .at(-1) ?? null;
  if (outcome.error) {
    return {
      applied: ran.map(idOf),
      at,
      detail: `${outcome.error.message}; the new instances run it once those are gone`,
    };
  }
  return { applied: ran.map(idOf), at, detail: `${ran.map(idOf).join(', ')} applied at ${at}` };
}

function runSmoke(command: string, target: StagedRelease): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MOLT_UPGRADE_VERSION: target.version },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      reject(
        new MoltError(
          'UPGRADE_ABORTED',
          `the smoke command failed (${signal ? `killed, ${signal}` : `exit ${code}`}): ${output.trim().slice(-400)}`,
          {
            hint: `The command was: ${command}`,
          },
        ),
      );
    });
  });
}

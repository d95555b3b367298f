import type { ReplaceReport } from '../supervisor/index.js';
import type { StagedRelease, UpgradeRuntime } from './runtime.js';

/** How a roll ended: null `failed` when every instance runs the release. */
export interface RollOutcome {
  /** The instance it stopped at, with its place: `web.1 (1/3)`. */
  failed: string | null;
  reason: string | null;
  detail?: string;
}

/**
 * Moves every slot onto `release`, one at a time, process types in the release's order; slots already on it are left
 * alone, so a resumed roll continues where it stopped. Each type keeps the instance count it runs with now (an
 * operator's `--instances`); a type the release no longer has is retired at the end. Stops at the first failure.
 */
export async function rollTo(
  runtime: UpgradeRuntime,
  release: StagedRelease,
  waits: { readyTimeoutMs: number; soakMs: number },
  onReport: (report: ReplaceReport) => void,
): Promise<RollOutcome> {
  const current = await runtime.current();
  const counts = new Map<string, number>();
  for (const i of current.instances) counts.set(i.type, Math.max(counts.get(i.type) ?? 0, i.slot));
  const plan = release.processes.flatMap((type) =>
    Array.from({ length: counts.get(type.name) ?? type.instances }, (_, k) => ({ type: type.name, slot: k + 1 })),
  );
  let moved = 0;
  for (const [n, { type, slot }] of plan.entries()) {
    const report = await runtime.replace(type, slot, release, waits);
    if (report.status !== 'unchanged') onReport(report);
    if (report.status === 'failed') {
      return { failed: `${report.instance} (${n + 1}/${plan.length})`, reason: `${report.failedAt}: ${report.reason}` };
    }
    if (report.status !== 'unchanged') moved++;
  }
  const gone = current.instances.filter((i) => !release.processes.some((p) => p.name === i.type));
  for (const instance of gone) await runtime.retire(instance.type, instance.slot);
  return {
    failed: null,
    reason: null,
    detail: `${moved} of ${plan.length} instance(s) moved to ${release.version}${gone.length ? `, ${gone.length} retired` : ''}`,
  };
}

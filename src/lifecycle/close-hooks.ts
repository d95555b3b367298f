import { messageOf } from '../errors.js';
import type { Logger } from '../runtime/index.js';
import type { StepReport } from './types.js';

/** A registered close hook. */
export interface CloseHook {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

/**
 * Runs close hooks in reverse registration order (the database pool, registered first, closes last), each cut
 * at its own timeout and all inside `totalMs`; a failure is logged and the sequence goes on.
 */
export async function runCloseHooks(hooks: readonly CloseHook[], totalMs: number, log: Logger): Promise<StepReport[]> {
  const end = Date.now() + totalMs;
  const reports: StepReport[] = [];
  let usedUp = false;
  for (const hook of [...hooks].reverse()) {
    const left = end - Date.now();
    if (usedUp || left <= 0) {
      usedUp = true;
      log.info(`close hook "${hook.name}" skipped: the close hooks' ${totalMs} ms were used up`);
      reports.push({ name: hook.name, status: 'skipped', ms: 0 });
      continue;
    }
    const limit = Math.min(hook.timeoutMs, left);
    const report = await runOne(hook, limit);
    // Cut by the total rather than its own timeout: nothing is left for the hooks after it.
    if (report.status === 'timeout' && limit === left) usedUp = true;
    if (report.status === 'failed') log.info(`close hook "${hook.name}" failed: ${report.error}`);
    if (report.status === 'timeout') log.info(`close hook "${hook.name}" ${report.error}`);
    reports.push(report);
  }
  return reports;
}

const TIMED_OUT = Symbol('timed out');

async function runOne(hook: CloseHook, limitMs: number): Promise<StepReport> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), limitMs)));
  try {
    const outcome = await Promise.race([Promise.resolve().then(hook.fn), cut]);
    const ms = Date.now() - started;
    if (outcome === TIMED_OUT)
      return { name: hook.name, status: 'timeout', ms, error: `timed out after ${limitMs} ms` };
    return { name: hook.name, status: 'ok', ms };
  } catch (error) {
    return { name: hook.name, status: 'failed', ms: Date.now() - started, error: messageOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

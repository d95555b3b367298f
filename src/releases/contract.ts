import { setTimeout as sleep } from 'node:timers/promises';
import { MoltError } from '../errors.js';
import { idOf, runMigrations, waitLine, type MigrateOptions, type MigrateReport } from '../migrate/internal.js';
import type { Outcome } from '../outcome.js';
import { toLogger, type Logger } from '../runtime/index.js';

/** Options of `applyContracts`. */
export interface ContractOptions extends MigrateOptions {
  /** Keep trying this long while a contract migration waits for live instances; 0 (default) tries once. */
  waitMs?: number;
  /** How often to look again while waiting; default 1 s. */
  pollMs?: number;
}

/** The error a run stands for when a contract migration still waits: who it waits for, and what to do. */
export function waitingError(report: MigrateReport, waitedMs: number | null): MoltError | null {
  const first = report.heldBack?.find((h) => h.waitsFor);
  if (!first) return null;
  const waited = waitedMs === null ? '' : ` after waiting ${Math.round(waitedMs / 1000)} s`;
  return new MoltError('CONTRACT_WAITING', `${waitLine(idOf(first), first.waitsFor!)}${waited}`, {
    hint: 'Drain or stop those instances (they go stale after the instance TTL if they died), then run again; `--wait 5m` waits for them, `--force` runs it now and breaks them',
    details: { report },
  });
}

/**
 * Applies every pending migration, contract ones included, as soon as no live instance of a release that does not
 * know them is left: once, or polling until `waitMs` passes. The outcome's error is `CONTRACT_WAITING` when one
 * still waits (the expand migrations before it are applied either way).
 * @example
 * const { report, error } = await applyContracts({ dir: './migrations', waitMs: 300_000 });
 */
export async function applyContracts(options: ContractOptions = {}): Promise<Outcome<MigrateReport>> {
  const started = Date.now();
  const deadline = started + (options.waitMs ?? 0);
  const logger = everyFewSeconds(toLogger(options.logger));
  for (;;) {
    const outcome = await runMigrations({ ...options, phase: 'all', logger });
    if (outcome.error) return outcome;
    const waiting = waitingError(outcome.report, options.waitMs ? Date.now() - started : null);
    if (!waiting) return outcome;
    if (Date.now() >= deadline || options.signal?.aborted) return { report: outcome.report, error: waiting };
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), undefined, {
      signal: options.signal,
    }).catch(() => undefined);
  }
}

const WAIT_LINE_EVERY_MS = 10_000;

/** A logger that says what a migration waits for every few seconds while polling, not once per poll. */
function everyFewSeconds(log: Logger): Logger {
  let last = 0;
  return {
    info(line) {
      if (/ waits: |is up to date at /.test(line)) {
        if (Date.now() - last < WAIT_LINE_EVERY_MS) return;
        last = Date.now();
      }
      log.info(line);
    },
    warn: (line) => log.warn(line),
  };
}

import type { MoltError } from './errors.js';

/**
 * What every batch call ends with: its report, whose `status` says how it went (and each item's status), and the
 * error when it did not succeed. `--json` prints exactly this object: `{report, error?}`.
 */
export interface Outcome<R> {
  report: R;
  error?: MoltError;
}

/**
 * The report, or a throw of the outcome's error (the report stays in `error.details.report`): for callers that want
 * an exception, such as a service booting, which must not start on a schema it cannot use.
 * @example
 * const report = orThrow(await migrate({ dir: './migrations' }));
 */
export function orThrow<R>(outcome: Outcome<R>): R {
  if (outcome.error) throw outcome.error;
  return outcome.report;
}

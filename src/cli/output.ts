import { MoltError, messageOf } from '../errors.js';
import { redactUrl } from '../config/url.js';
import type { Outcome } from '../outcome.js';
import { EXIT, exitCodeOf } from './exit-codes.js';

/** An error as `--json` prints it: its code, message and hint, and its structured fields (the report left out). */
function errorJson(error: MoltError): Record<string, unknown> {
  const { report: _report, ...details } = error.details as { report?: unknown };
  return { ...details, code: error.code, message: error.message, hint: error.hint };
}

/**
 * Prints an outcome and returns its exit code: with `--json` the object `{report, error?}` on stdout; otherwise the
 * report as text on stdout and the error, with its hint, on stderr.
 */
export function emit<R>(
  json: boolean | undefined,
  outcome: Outcome<R | null>,
  text: (report: R, error?: MoltError) => string,
): number {
  const { report, error } = outcome;
  // Every byte the CLI prints passes the redaction: a secret that reached a report by any path stops here.
  if (json) {
    const body = error ? { report, error: errorJson(error) } : { report };
    process.stdout.write(redactUrl(`${JSON.stringify(body, null, 2)}\n`));
  } else if (report !== null) {
    process.stdout.write(redactUrl(text(report, error)));
  }
  if (error) {
    process.stderr.write(`molt: error: ${redactUrl(error.message)}\n`);
    if (error.hint) process.stderr.write(`molt: hint: ${redactUrl(error.hint)}\n`);
  }
  return exitCodeOf(outcome);
}

/** Renders an error a command threw (no report, or one it carries) as an outcome, and returns the exit code. */
export function fail(error: unknown, json: boolean | undefined, renderReport?: (report: never) => string): number {
  // Ctrl-C while waiting (for the lock, for a connection) ends the wait with an AbortError: nothing ran.
  if (error instanceof Error && error.name === 'AbortError')
    error = new MoltError('INTERRUPTED', 'Interrupted before anything ran', {
      cause: error,
      hint: 'Nothing was changed',
    });
  if (!(error instanceof MoltError)) {
    process.stderr.write(`molt: error: ${redactUrl(messageOf(error))}\n`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ report: null, error: { code: 'INTERNAL', message: redactUrl(messageOf(error)) } }, null, 2)}\n`,
      );
    return EXIT.internal;
  }
  const report = (error.details as { report?: unknown }).report ?? null;
  return emit(json, { report, error }, (r) => (renderReport ? renderReport(r as never) : ''));
}

import { MoltError, messageOf } from '../errors.js';
import { redactUrl } from '../config/url.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

/** Writes data to stdout: JSON with `--json`, else the text the renderer gives. */
export function emit<T>(json: boolean | undefined, report: T, text: (report: T) => string): void {
  // Every byte the CLI prints passes the redaction: a secret that reached a report by any path stops here.
  process.stdout.write(redactUrl(json ? `${JSON.stringify(report, null, 2)}\n` : text(report)));
}

/** Renders an error (to stderr, and as JSON on stdout with `--json`) and returns the exit code. */
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
        `${JSON.stringify({ error: { code: 'INTERNAL', message: redactUrl(messageOf(error)) } }, null, 2)}\n`,
      );
    return EXIT.internal;
  }
  const { report, ...details } = error.details as { report?: unknown };
  if (json) {
    process.stdout.write(
      redactUrl(
        `${JSON.stringify({ error: { ...details, code: error.code, message: error.message, hint: error.hint }, report }, null, 2)}\n`,
      ),
    );
  } else if (report && renderReport) {
    process.stdout.write(redactUrl(renderReport(report as never)));
  }
  process.stderr.write(`molt: error: ${redactUrl(error.message)}\n`);
  if (error.hint) process.stderr.write(`molt: hint: ${redactUrl(error.hint)}\n`);
  return exitCodeFor(error.code, error.details);
}

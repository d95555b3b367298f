import { redactUrl } from '../config/url.js';

/** Where molt writes its log lines, one method per level. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

/** What a caller may pass as `logger`: a Logger, a function that takes every line, or `false` for none. */
export type LoggerOption = Logger | ((line: string) => void) | false | undefined;

/** Log lines to stderr, prefixed so they stand out in a service's output; every line passes the URL redaction. */
export const stderrLogger: Logger = {
  info: (line) => process.stderr.write(`molt: ${redactUrl(line)}\n`),
  warn: (line) => process.stderr.write(`molt: warning: ${redactUrl(line)}\n`),
};

/** A logger that drops every line. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

/**
 * The one Logger behind a `logger` option: `false` silences, a function receives each line as stderr would show it
 * (`molt: ...`, `molt: warning: ...`, without the newline), and nothing given means stderr.
 */
export function toLogger(option: LoggerOption): Logger {
  if (option === false) return silentLogger;
  if (option === undefined) return stderrLogger;
  if (typeof option === 'function')
    return {
      info: (line) => option(`molt: ${redactUrl(line)}`),
      warn: (line) => option(`molt: warning: ${redactUrl(line)}`),
    };
  return option;
}

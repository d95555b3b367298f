import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MoltError } from '../errors.js';
import { parseSettings } from '../config/index.js';
import type { CommonOptions } from '../migrate/context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every database command takes, defined once. */
export const COMMON_FLAGS = {
  db: { type: 'string' },
  dir: { type: 'string' },
  table: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  'statement-lock-timeout': { type: 'string' },
  'allow-out-of-order': { type: 'boolean' },
  'app-version': { type: 'string' },
  set: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Help lines for the common flags. */
export const COMMON_HELP = `Options:
  --db URL                      database URL (env MOLT_DATABASE_URL, then DATABASE_URL; default sqlite:./data/app.db)
  --dir DIR                     migrations directory (env MOLT_MIGRATIONS_DIR; default ./migrations)
  --table NAME                  history table (default _molt_migrations)
  --lock-timeout DUR            how long to wait for the migration lock (default 10m)
  --statement-lock-timeout DUR  per-statement wait for table locks (PostgreSQL lock_timeout; default none)
  --statement-timeout DUR       per-statement run time limit (PostgreSQL statement_timeout; default none)
  --allow-out-of-order          apply pending migrations older than the newest applied one
  --app-version V               version recorded with each migration (default: package.json)
  --set NAME=VALUE              session setting on every connection, repeatable (env MOLT_SESSION="a=1;b=2"),
                                e.g. --set sql_mode=NO_ENGINE_SUBSTITUTION or --set search_path=app
  --json                        print the report as JSON on stdout
  -h, --help                    show this help`;

/** Parses argv with the common flags plus a command's own; an unknown flag is a usage error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseFlags(argv: string[], own: Options, positionals = 0): { values: Record<string, any>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...COMMON_FLAGS, ...own }, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new Error(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed;
  } catch (cause) {
    throw new MoltError('USAGE', (cause as Error).message.replace(/\. To specify.*$/s, ''), { cause, hint: 'Run with --help to see the options' });
  }
}

/** Library options from the common flags. */
export function commonOptions(values: Record<string, unknown>): CommonOptions {
  return {
    db: values.db as string | undefined,
    dir: values.dir as string | undefined,
    table: values.table as string | undefined,
    lockTimeout: values['lock-timeout'] as string | undefined,
    statementTimeout: values['statement-timeout'] as string | undefined,
    statementLockTimeout: values['statement-lock-timeout'] as string | undefined,
    allowOutOfOrder: values['allow-out-of-order'] as boolean | undefined,
    appVersion: values['app-version'] as string | undefined,
    session: values.set ? parseSettings(values.set as string[], '--set') : undefined,
  };
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type CommonOptions } from '../migrate/internal.js';
import { MoltError } from '../errors.js';
import { parseSettings } from '../config/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The database and migration-set flags commands share, each defined once with its help line. */
const SHARED = {
  db: {
    spec: { type: 'string' },
    help: '--db URL                      database URL (env MOLT_DATABASE_URL, then DATABASE_URL; default sqlite:./data/app.db)',
  },
  dir: {
    spec: { type: 'string' },
    help: '--dir DIR                     migrations directory (env MOLT_MIGRATIONS_DIR; default ./migrations)',
  },
  table: { spec: { type: 'string' }, help: '--table NAME                  history table (default _molt_migrations)' },
  'lock-timeout': {
    spec: { type: 'string' },
    help: '--lock-timeout DUR            how long to wait for the migration lock, or a database another process holds (default 10m)',
  },
  'statement-lock-timeout': {
    spec: { type: 'string' },
    help: '--statement-lock-timeout DUR  per-statement wait for table locks (PostgreSQL lock_timeout; default none)',
  },
  'statement-timeout': {
    spec: { type: 'string' },
    help: '--statement-timeout DUR       per-statement run time limit (PostgreSQL statement_timeout; default none)',
  },
  'allow-out-of-order': {
    spec: { type: 'boolean' },
    help: '--allow-out-of-order          accept pending migrations older than the newest applied one',
  },
  'app-version': {
    spec: { type: 'string' },
    help: '--app-version V               version recorded with what this run writes (default: package.json)',
  },
  'wait-for-database': {
    spec: { type: 'string' },
    help: '--wait-for-database DUR       keep trying a database server that does not answer yet (env MOLT_WAIT_FOR_DATABASE; default 0)',
  },
  set: {
    spec: { type: 'string', multiple: true },
    help: '--set NAME=VALUE              session setting on every connection, repeatable (env MOLT_SESSION="a=1;b=2"),\n                                e.g. --set sql_mode=NO_ENGINE_SUBSTITUTION or --set search_path=app',
  },
  json: { spec: { type: 'boolean' }, help: '--json                        print the report as JSON on stdout' },
  help: { spec: { type: 'boolean', short: 'h' }, help: '-h, --help                    show this help' },
} as const satisfies Record<string, { spec: Options[string]; help: string }>;

/** One of the shared flags. */
export type SharedFlag = keyof typeof SHARED;

/** The shared flags of a command that reads or writes the database through the migration set. */
export const DATABASE_FLAGS: readonly SharedFlag[] = ['db', 'dir', 'table', 'wait-for-database', 'set', 'json', 'help'];
/** What `migrate` adds: the waits, the per-statement limits, out-of-order and the recorded app version. */
export const MIGRATE_FLAGS: readonly SharedFlag[] = [
  ...DATABASE_FLAGS,
  'lock-timeout',
  'statement-lock-timeout',
  'statement-timeout',
  'allow-out-of-order',
  'app-version',
];
/** What the read-only commands add: the wait for a database another process holds, and out-of-order. */
export const READ_FLAGS: readonly SharedFlag[] = [...DATABASE_FLAGS, 'lock-timeout', 'allow-out-of-order'];

/** The `Options:` block for these shared flags. */
export function optionsHelp(flags: readonly SharedFlag[]): string {
  return `Options:\n${flags.map((f) => `  ${SHARED[f].help}`).join('\n')}`;
}

/** Parses argv with the shared flags a command names plus its own; any other flag is a usage error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseFlags(
  argv: string[],
  own: Options,
  positionals = 0,
  shared: readonly SharedFlag[] = MIGRATE_FLAGS,
): { values: Record<string, any>; positionals: string[] } {
  const options: Options = Object.fromEntries(shared.map((f) => [f, SHARED[f].spec]));
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, ...own },
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals)
      throw new Error(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed;
  } catch (cause) {
    throw new MoltError('USAGE', (cause as Error).message.replace(/\. To specify.*$/s, ''), {
      cause,
      hint: 'Run with --help to see the options',
    });
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
    waitForDatabase: values['wait-for-database'] as string | undefined,
    session: values.set ? parseSettings(values.set as string[], '--set') : undefined,
  };
}

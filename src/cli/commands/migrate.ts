import { withBootHooks } from '../../boot.js';
import { runMigrations } from '../../migrate/internal.js';
import { commonOptions, MIGRATE_FLAGS, optionsHelp, parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { renderMigrate } from '../render.js';

/** Usage of `molt migrate`. */
export const help = `Usage: molt migrate [--phase expand|all] [--to VERSION] [--dry-run] [options]

Applies pending migrations under the migration lock, after the drift check.
  --phase expand   stop before the first contract migration (apply before rolling instances)
  --to VERSION     stop after this version
  --dry-run        show what would run; change nothing
  --allow-non-empty  migrate a database that has tables but no history (they are not these migrations')

${optionsHelp(MIGRATE_FLAGS)}

Examples:
  molt migrate --db postgres://app@db:5432/app
  molt migrate --phase expand --dry-run
  molt migrate --to 0042 --lock-timeout 30s`;

/** Runs `molt migrate`. */
export async function run(argv: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(argv, {
    phase: { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-non-empty': { type: 'boolean' },
  });
  if (values.phase !== undefined && values.phase !== 'expand' && values.phase !== 'all') {
    const { MoltError } = await import('../../errors.js');
    throw new MoltError('USAGE', `--phase takes expand or all, not "${values.phase}"`);
  }
  const options = {
    ...commonOptions(values),
    phase: values.phase as 'expand' | 'all' | undefined,
    target: values.to,
    dryRun: values['dry-run'],
    allowNonEmpty: values['allow-non-empty'],
    signal,
  };
  const outcome = await runMigrations(withBootHooks(options));
  return emit(values.json, outcome, renderMigrate);
}

/** Renders the report a failed run carries. */
export const renderReport = renderMigrate;

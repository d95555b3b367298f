import { withBootHooks } from '../../boot.js';
import { parseDuration } from '../../config/duration.js';
import { MoltError } from '../../errors.js';
import { idOf, pending, runMigrations, waitLine, type MigrateOptions } from '../../migrate/internal.js';
import { applyContracts } from '../../releases/index.js';
import { askYesNo } from '../confirm.js';
import { commonOptions, MIGRATE_FLAGS, optionsHelp, parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { renderMigrate } from '../render.js';

/** Usage of `molt migrate`. */
export const help = `Usage: molt migrate [--phase expand|all|contract] [--wait DUR] [--force [--yes]] [--to VERSION] [--dry-run] [options]

Applies pending migrations under the migration lock, after the drift check. A contract migration that a live
instance of an older release does not know waits (with everything after it) until no such instance is left.
  --phase expand   stop before the first contract migration (apply before rolling instances)
  --phase all      (default) apply everything that may run now; what waits is listed, exit 0
  --phase contract apply everything, contract migrations included; exit 13 when one still waits
  --wait DUR       with --phase contract: keep trying this long (e.g. 5m) for the old instances to go
  --force          run contract migrations now although live instances would break; names them and asks
  --yes            with --force: do not ask
  --to VERSION     stop after this version
  --dry-run        show what would run; change nothing
  --allow-non-empty  migrate a database that has tables but no history (they are not these migrations')

${optionsHelp(MIGRATE_FLAGS)}

Examples:
  molt migrate --db postgres://app@db:5432/app
  molt migrate --phase expand --dry-run
  molt migrate --to 0042 --lock-timeout 30s
  molt migrate --phase contract --wait 5m`;

/** Before `--force`: who breaks, and the operator's yes (or `--yes`); throws when nobody said yes. */
async function confirmForce(options: MigrateOptions, yes: boolean | undefined): Promise<void> {
  const waiting = (await pending({ ...options, force: false })).heldBack.filter((h) => h.waitsFor);
  if (waiting.length === 0) return;
  const lines = waiting.map((h) => `--force breaks: ${waitLine(idOf(h), h.waitsFor!)}`);
  if (yes) {
    for (const line of lines) process.stderr.write(`molt: ${line}\n`);
    return;
  }
  const answer = await askYesNo('Run them now anyway?', lines);
  if (answer) return;
  throw new MoltError(
    'CONTRACT_WAITING',
    answer === null
      ? `--force would break live instances and asks first, but there is no terminal to ask on: ${lines[0]}`
      : 'Not confirmed: nothing was run',
    { hint: 'Pass --yes with --force to run without asking, or wait for the old instances to drain' },
  );
}

/** Runs `molt migrate`. */
export async function run(argv: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(argv, {
    phase: { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-non-empty': { type: 'boolean' },
    wait: { type: 'string' },
    force: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  });
  const phase = values.phase ?? 'all';
  if (phase !== 'expand' && phase !== 'all' && phase !== 'contract') {
    throw new MoltError('USAGE', `--phase takes expand, all or contract, not "${phase}"`);
  }
  if (values.wait !== undefined && phase !== 'contract')
    throw new MoltError('USAGE', '--wait goes with --phase contract', {
      hint: 'molt migrate --phase contract --wait 5m',
    });
  if (values.force && phase === 'expand')
    throw new MoltError('USAGE', '--force runs contract migrations, which --phase expand leaves out');
  const options = {
    ...commonOptions(values),
    phase: phase === 'expand' ? ('expand' as const) : ('all' as const),
    target: values.to,
    dryRun: values['dry-run'],
    allowNonEmpty: values['allow-non-empty'],
    force: values.force,
    signal,
  };
  if (values.force && !values['dry-run']) await confirmForce(options, values.yes);
  const outcome =
    phase === 'contract' && !values.force
      ? await applyContracts(withBootHooks({ ...options, waitMs: parseDuration(values.wait ?? '0', '--wait') }))
      : await runMigrations(withBootHooks(options));
  return emit(values.json, outcome, renderMigrate);
}

/** Renders the report a failed run carries. */
export const renderReport = renderMigrate;

import { MoltError } from '../../errors.js';
import { rollback, type RollbackReport } from '../../releases/index.js';
import { confirmRestore } from '../confirm.js';
import { commonOptions, DATABASE_FLAGS, optionsHelp, parseFlags } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt rollback`. */
export const help = `Usage: molt rollback --to VERSION [--restore [--yes]] [options]

Says whether the release VERSION may simply be started again on this database: "image rollback safe" while every
migration it does not know is expand (and until which contract migration), or "needs a restore" once a contract
migration removed what it uses: which archive, and what is lost. With --restore it runs that restore (verified,
atomic; stop the service first), asking unless --yes. It never runs down migrations.

  --to VERSION   the app version to go back to (one that ran on this database)
  --restore      run the restore the verdict names
  --yes          with --restore: do not ask

Exit codes: 0 image rollback safe or restored, 15 needs a restore (not run), 2 unknown version, 7 no history,
9 restore not confirmed, 11 the archive fails verification.

${optionsHelp(DATABASE_FLAGS)}

Examples:
  molt rollback --to 1.2.0
  molt rollback --to 1.2.0 --restore`;

function render(r: RollbackReport): string {
  let out = `${r.verdict.summary}\n`;
  if (r.verdict.lost)
    out += `  lost by the restore: every change since ${r.verdict.lost.since}, and ${r.verdict.lost.migrations.join(', ') || 'no migration'}\n`;
  if (r.restored)
    out += `restored ${r.restored.file} into ${r.restored.target} (schema ${r.restored.schemaVersion ?? 'empty'}); now start ${r.to}\n`;
  else if (r.restoreCommand)
    out += `to restore: stop the service, run \`${r.restoreCommand}\` (or \`molt rollback --to ${r.to} --restore\`), then start ${r.to}\n`;
  else if (r.verdict.verdict === 'image_rollback_safe')
    out += `to roll back: start the ${r.to} image; no restore is needed\n`;
  return out;
}

/** Runs `molt rollback`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { to: { type: 'string' }, restore: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
    0,
    DATABASE_FLAGS,
  );
  if (!values.to)
    throw new MoltError('USAGE', 'molt rollback needs --to VERSION', { hint: 'molt rollback --to 1.2.0' });
  const outcome = await rollback({
    ...commonOptions(values),
    to: values.to,
    restore: values.restore,
    yes: values.yes,
    confirm: values.yes ? undefined : confirmRestore,
  });
  return emit(values.json, outcome, render);
}

/** Renders the report a failed run carries. */
export const renderReport = render;

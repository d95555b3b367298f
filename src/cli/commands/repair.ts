import { MoltError } from '../../errors.js';
import { repair, type RepairAction } from '../../migrate/internal.js';
import { commonOptions, DATABASE_FLAGS, optionsHelp, parseFlags, type SharedFlag } from '../flags.js';
import { askYesNo } from '../confirm.js';

const FLAGS: readonly SharedFlag[] = [...DATABASE_FLAGS, 'lock-timeout', 'app-version'];
import { emit } from '../output.js';

/** Usage of `molt repair`. */
export const help = `Usage: molt repair [--resolve applied|rolled-back] [--yes] [options]

Realigns the history after a confirmed change: records the current checksum of edited migrations,
and settles migrations that failed part-way once you fixed the schema by hand:
  --resolve applied      you finished the migration by hand; record it as applied
  --resolve rolled-back  you undid what it applied; it runs again on the next migrate
  --yes                  do not ask for confirmation

${optionsHelp(FLAGS)}

Example (you finished a failed migration by hand):
  molt repair --resolve applied --yes`;

async function ask(actions: RepairAction[]): Promise<boolean> {
  const lines = actions.map((a) => `  ${a.detail}`);
  // No terminal: nobody confirmed, and the report lists what `--yes` would apply.
  return (await askYesNo('Apply these changes to the history?', lines)) ?? false;
}

/** Runs `molt repair`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { resolve: { type: 'string' }, yes: { type: 'boolean', short: 'y' } }, 0, FLAGS);
  if (values.resolve !== undefined && values.resolve !== 'applied' && values.resolve !== 'rolled-back') {
    throw new MoltError('USAGE', `--resolve takes applied or rolled-back, not "${values.resolve}"`);
  }
  const report = await repair({
    ...commonOptions(values),
    resolve: values.resolve as 'applied' | 'rolled-back' | undefined,
    yes: values.yes,
    confirm: values.json ? undefined : ask,
  });
  return emit(values.json, { report }, (r) => {
    if (r.actions.length === 0) return 'nothing to repair\n';
    const list = r.actions.map((a) => `  ${a.detail}\n`).join('');
    return r.applied ? `repaired:\n${list}` : `would repair (run again with --yes to apply):\n${list}`;
  });
}

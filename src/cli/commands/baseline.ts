import { MoltError } from '../../errors.js';
import { baseline } from '../../migrate/internal.js';
import { commonOptions, DATABASE_FLAGS, optionsHelp, parseFlags, type SharedFlag } from '../flags.js';

const FLAGS: readonly SharedFlag[] = [...DATABASE_FLAGS, 'lock-timeout', 'app-version'];
import { emit } from '../output.js';

/** Usage of `molt baseline`. */
export const help = `Usage: molt baseline VERSION [options]

Adopts an existing database that molt has never migrated: records every migration up to VERSION
as applied without running it. Later migrations apply as usual.

${optionsHelp(FLAGS)}

Example (the database already has what 0001 to 0042 create):
  molt baseline 0042`;

/** Runs `molt baseline`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {}, 1, FLAGS);
  if (!positionals[0])
    throw new MoltError('USAGE', 'molt baseline needs a VERSION', {
      hint: 'Give the version of the last migration the database already has',
    });
  const report = await baseline(positionals[0], commonOptions(values));
  return emit(
    values.json,
    { report: report },
    (r) => `baseline at ${r.version}: ${r.marked.length} migration(s) recorded as applied\n`,
  );
}

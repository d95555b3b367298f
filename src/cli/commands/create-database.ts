import { createDatabase } from '../../migrate/internal.js';
import { optionsHelp, parseFlags, type SharedFlag } from '../flags.js';
import { emit } from '../output.js';

const FLAGS: readonly SharedFlag[] = ['db', 'wait-for-database', 'json', 'help'];

/** Usage of `molt create-database`. */
export const help = `Usage: molt create-database [options]

Creates the database the URL names when it does not exist yet, if the user may (PostgreSQL: CREATEDB;
MySQL/MariaDB: CREATE). A database that exists already is fine: exit 0, nothing changed.

${optionsHelp(FLAGS)}

Example (a Compose service's first start):
  molt create-database --wait-for-database 60s && molt migrate`;

/** Runs `molt create-database`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {}, 0, FLAGS);
  const report = await createDatabase({ db: values.db, waitForDatabase: values['wait-for-database'] });
  return emit(values.json, { report: report }, (r) => `${r.created ? 'created' : 'exists already:'} ${r.database}\n`);
}

import { MoltError } from '../../errors.js';
import { newMigration } from '../../migrate/internal.js';
import { parseFlags } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt new`. */
export const help = `Usage: molt new NAME [--contract] [--dir DIR] [--json]

Creates <next version>_<name>.sql in the migrations directory, numbered in the style the directory
already uses (0001 sequence or UTC timestamp), as a flat file or, where the directory keeps a
folder per migration (Prisma, Diesel), as a new folder. --contract tags it \`-- molt:phase contract\`.

Examples:
  molt new add_users_table
  molt new drop_legacy_column --contract`;

/** Runs `molt new`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { contract: { type: 'boolean' } }, 1, ['dir', 'json', 'help']);
  if (!positionals[0]) throw new MoltError('USAGE', 'molt new needs a NAME', { hint: 'Try: molt new add_users_table' });
  const created = newMigration(positionals[0], { dir: values.dir, contract: values.contract });
  return emit(values.json, { report: created }, (c) => `created ${c.path}\n`);
}

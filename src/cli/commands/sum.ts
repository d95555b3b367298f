import { resolveConfig } from '../../config/config.js';
import { assertSum, loadMigrations, writeSum } from '../../migrate/internal.js';
import { parseFlags } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt sum`. */
export const help = `Usage: molt sum [--dir DIR] [--check] [--json]

Writes molt.sum next to the migrations: a checksum per file and a chained total on the first line,
so that an edited migration fails \`molt lint\` and \`molt migrate\`, and two branches that each add a
migration conflict in git. Commit it with the migrations. --check only compares (exit 8 on mismatch).

Examples:
  molt sum
  molt sum --check --dir db/migrations`;

/** Runs `molt sum`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { check: { type: 'boolean' } }, 0, ['dir', 'json', 'help']);
  const dir = resolveConfig({ dir: values.dir }).dir;
  const migrations = loadMigrations({ dir });
  if (values.check) {
    assertSum(dir, migrations);
    return emit(
      values.json,
      { report: { status: 'ok', files: migrations.length } },
      (r) => `molt.sum matches ${r.files} migration(s)\n`,
    );
  }
  const path = writeSum(dir, migrations);
  return emit(
    values.json,
    { report: { path, files: migrations.length } },
    (r) => `wrote ${r.path} (${r.files} migration(s))\n`,
  );
}

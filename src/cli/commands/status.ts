import { status } from '../../migrate/internal.js';
import { commonOptions, optionsHelp, parseFlags, READ_FLAGS } from '../flags.js';
import { emit } from '../output.js';
import { renderStatus } from '../render.js';

/** Usage of `molt status`. */
export const help = `Usage: molt status [options]

Shows applied, pending and unknown migrations, problems found by the drift check, and who holds
the migration lock. Writes nothing. Exits 0 even when there are problems; use \`molt verify\` as a gate.

${optionsHelp(READ_FLAGS)}

Examples:
  molt status
  molt status --json --db postgres://app@db:5432/app`;

/** Runs `molt status`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {}, 0, READ_FLAGS);
  const report = await status(commonOptions(values));
  return emit(values.json, { report: report }, renderStatus);
}

/** Renders the report a failed run carries. */
export const renderReport = renderStatus;

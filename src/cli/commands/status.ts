import { status } from '../../migrate/status.js';
import { commonOptions, COMMON_HELP, parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { renderStatus } from '../render.js';

/** Usage of `molt status`. */
export const help = `Usage: molt status [options]

Shows applied, pending and unknown migrations, problems found by the drift check, and who holds
the migration lock. Writes nothing. Exits 0 even when there are problems; use \`molt verify\` as a gate.

${COMMON_HELP}`;

/** Runs `molt status`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {});
  const report = await status(commonOptions(values));
  emit(values.json, report, renderStatus);
  return 0;
}

/** Renders the report a failed run carries. */
export const renderReport = renderStatus;

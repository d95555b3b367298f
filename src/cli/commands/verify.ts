import { verify } from '../../migrate/status.js';
import { commonOptions, COMMON_HELP, parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { renderStatus } from '../render.js';

/** Usage of `molt verify`. */
export const help = `Usage: molt verify [options]

A startup gate that writes nothing: exits 0 when the database has every migration this binary
needs and no problem (a newer schema passes when all its extra migrations are expand), 3 on drift,
7 when migrations are pending.

${COMMON_HELP}`;

/** Runs `molt verify`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {});
  const report = await verify(commonOptions(values));
  emit(values.json, report, (r) => `ok: ${r.database} is at ${r.current ?? 'empty'}; nothing pending, no problem\n${r.warnings.map((w) => `warning: ${w}\n`).join('')}`);
  return 0;
}

/** Renders the report a failed run carries. */
export const renderReport = renderStatus;

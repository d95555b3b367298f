import { verify } from '../../migrate/internal.js';
import { commonOptions, optionsHelp, parseFlags, READ_FLAGS } from '../flags.js';
import { emit } from '../output.js';
import { renderStatus } from '../render.js';

/** Usage of `molt verify`. */
export const help = `Usage: molt verify [options]

A startup gate that writes nothing: exits 0 when the database has every migration this binary
needs and no problem (a newer schema passes when all its extra migrations are expand), 3 on drift,
7 when migrations are pending.

${optionsHelp(READ_FLAGS)}

Example (a replica's start command that must not migrate):
  molt verify && node server.js`;

/** Runs `molt verify`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {}, 0, READ_FLAGS);
  return emit(
    values.json,
    await verify(commonOptions(values)),
    // A database that does not fit shows what `status` shows; the error says why on stderr.
    (r, error) =>
      error
        ? renderStatus(r)
        : `ok: ${r.database} is at ${r.current ?? 'empty'}; nothing pending, no problem\n${r.warnings.map((w) => `warning: ${w}\n`).join('')}`,
  );
}

/** Renders the report a failed run carries. */
export const renderReport = renderStatus;

import { restore, type RestoreReport } from '../../backup/index.js';
import { parseDataDirs } from '../../config/config.js';
import { MoltError } from '../../errors.js';
import { confirmRestore } from '../confirm.js';
import { commonOptions, DATABASE_FLAGS, optionsHelp, parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { terminalProgress } from '../progress.js';

/** Usage of `molt restore`. */
export const help = `Usage: molt restore FILE [--yes] [--force] [--data-dir NAME=PATH]... [options]

Verifies the archive first (every entry against the manifest) and changes nothing if anything is
wrong. Refuses an archive whose schema holds migrations this binary does not know, unless --force.
Shows what the archive holds and asks before replacing anything, unless --yes. The database is
replaced atomically (SQLite: a temporary file renamed over the database; PostgreSQL and MySQL: a
fresh database swapped in), then each data directory. Stop the service first.

  --yes                  do not ask
  --force                restore an archive from a newer schema
  --data-dir NAME=PATH   where a data directory of the archive goes (default: where the configuration names it;
                         an archive's directory that neither names is refused)

Exit codes: 0 restored, 9 not confirmed or refused (newer schema), 11 the archive fails
verification, 12 the restore tool failed.

${optionsHelp(DATABASE_FLAGS)}

Example (the service stopped first):
  molt restore backups/molt-backup-app-20261122T083012345Z-0042.tar.gz --data-dir uploads=./data/uploads`;

function render(r: RestoreReport): string {
  const dirs = r.dataDirs.map((d) => `\n  data directory ${d.name}: ${d.path}`).join('');
  const kept = r.previous
    ? `\n  the previous contents are kept in ${r.previous}; drop it once you have checked the restore`
    : '';
  const notes = r.notes.map((n) => `\n  note: ${n}`).join('');
  return `restored ${r.summary.file} into ${r.target} (schema ${r.summary.schemaVersion ?? 'empty'}, ${(r.durationMs / 1000).toFixed(1)} s)${kept}${dirs}${notes}\n`;
}

/** Runs `molt restore`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { yes: { type: 'boolean' }, force: { type: 'boolean' }, 'data-dir': { type: 'string', multiple: true } },
    1,
    DATABASE_FLAGS,
  );
  if (!positionals[0])
    throw new MoltError('USAGE', 'molt restore needs the archive FILE', {
      hint: '`molt backup list` shows the archives',
    });
  const bar = terminalProgress(values.json);
  try {
    const report = await restore({
      ...commonOptions(values),
      dataDirs: values['data-dir'] ? parseDataDirs(values['data-dir'], '--data-dir') : undefined,
      file: positionals[0],
      force: values.force,
      yes: values.yes,
      confirm: values.yes ? undefined : confirmRestore,
      progress: bar.progress,
    });
    bar.done();
    return emit(values.json, { report: report }, render);
  } finally {
    bar.done();
  }
}

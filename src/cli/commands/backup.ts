import {
  backup,
  listBackups,
  verifyBackup,
  type BackupListing,
  type BackupReport,
  type VerifyReport,
} from '../../backup/index.js';
import { parseDataDirs } from '../../config/config.js';
import { MoltError } from '../../errors.js';
import { commonOptions, DATABASE_FLAGS, optionsHelp, parseFlags, type SharedFlag } from '../flags.js';

const FLAGS: readonly SharedFlag[] = [...DATABASE_FLAGS, 'app-version'];
import { emit } from '../output.js';
import { terminalProgress } from '../progress.js';

/** Usage of `molt backup`. */
export const help = `Usage: molt backup [FILE] [--backup-dir DIR] [--keep N] [--data-dir NAME=PATH]... [options]
       molt backup verify FILE [--json]
       molt backup list [--all] [--backup-dir DIR] [--json]

Writes one .tar.gz: manifest.json (molt and app version, schema version and the full history,
database kind and server version, created at, host, sha256 and size of every entry), a consistent
dump taken while the service runs (SQLite online backup, pg_dump -Fc, mariadb-dump
--single-transaction) and the configured data directories. Without FILE it is named
molt-backup-<database>-<UTC time>-<schema version>.tar.gz in the backup directory (0600, in a 0700
directory molt creates), and only the newest --keep archives of this database there are kept; other
databases' archives in the same directory are never touched. \`verify\` checks every entry against
the manifest; \`list\` shows this database's archives (--all: every database's).

  --backup-dir DIR         where archives go (env MOLT_BACKUP_DIR; default ./backups)
  --keep N                 archives retention keeps in the backup directory (env MOLT_BACKUP_KEEP; default 10; 0 keeps all)
  --data-dir NAME=PATH     a data directory to include, repeatable (env MOLT_DATA_DIRS="a=./x;b=./y")
  --all                    with list: the archives of every database in the directory

Exit codes: 0 ok, 11 the archive fails verification, 12 a dump tool is missing or failed.

${optionsHelp(FLAGS)}

Examples:
  molt backup
  molt backup /mnt/backups/before-2.0.tar.gz --data-dir uploads=./data/uploads
  molt backup verify backups/molt-backup-app-20261122T083012345Z-0042.tar.gz
  molt backup list --all`;

const size = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;

function renderBackup(r: BackupReport): string {
  const lines = [
    `backup written: ${r.file} (${size(r.bytes)}, ${r.entries} entries, ${(r.durationMs / 1000).toFixed(1)} s)`,
    `  database: ${r.database.kind} ${r.database.serverVersion} at ${r.database.url}, schema ${r.schemaVersion ?? 'empty'}`,
  ];
  if (r.dataDirs.length) lines.push(`  data directories: ${r.dataDirs.join(', ')}`);
  for (const f of r.removed) lines.push(`  removed by retention: ${f}`);
  for (const s of r.skipped) lines.push(`  not stored: ${s.file} (${s.reason})`);
  return `${lines.join('\n')}\n`;
}

/** Renders what an archive holds, for `verify` and `restore`. */
export function renderVerify(r: VerifyReport): string {
  const m = r.manifest;
  return [
    `ok: ${r.file} (${size(r.bytes)}): every entry matches the manifest`,
    `  created ${m.createdAt} on ${m.host} by molt ${m.moltVersion}, app ${m.appVersion ?? 'unknown'}`,
    `  database: ${m.database.tool.includes(m.database.serverVersion) ? `${m.database.kind}, ${m.database.tool}` : `${m.database.kind} ${m.database.serverVersion} (${m.database.tool})`}, schema ${m.schema.version ?? 'empty'} (${m.schema.history.length} migrations)`,
    `  entries: ${m.entries.length}${m.dataDirs.length ? `; data directories: ${m.dataDirs.map((d) => d.name).join(', ')}` : ''}`,
    '',
  ].join('\n');
}

function renderList(r: { dir: string; database: string; backups: BackupListing[] }): string {
  if (r.backups.length === 0) return `no backups of ${r.database} in ${r.dir}\n`;
  return `${r.backups
    .map((b) =>
      b.error
        ? `${b.file}  ${size(b.bytes)}  unreadable: ${b.error}`
        : `${b.file}  ${size(b.bytes)}  ${b.createdAt}  ${b.database ?? b.kind}  ${b.serverVersion}  schema ${b.schemaVersion ?? 'empty'}  app ${b.appVersion ?? '-'}`,
    )
    .join('\n')}\n`;
}

/** Runs `molt backup`, `molt backup verify` and `molt backup list`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      'backup-dir': { type: 'string' },
      keep: { type: 'string' },
      'data-dir': { type: 'string', multiple: true },
      all: { type: 'boolean' },
    },
    2,
    FLAGS,
  );
  const options = {
    ...commonOptions(values),
    backupDir: values['backup-dir'],
    backupKeep: values.keep,
    dataDirs: values['data-dir'] ? parseDataDirs(values['data-dir'], '--data-dir') : undefined,
  };
  const bar = terminalProgress(values.json);
  try {
    if (positionals[0] === 'verify') {
      if (!positionals[1]) throw new MoltError('USAGE', 'molt backup verify needs the archive FILE');
      return emit(
        values.json,
        { report: await verifyBackup(positionals[1], { progress: bar.progress }) },
        renderVerify,
      );
    }
    if (positionals[0] === 'list') {
      return emit(values.json, { report: await listBackups({ ...options, all: values.all }) }, renderList);
    }
    if (positionals.length > 1)
      throw new MoltError('USAGE', `unexpected argument "${positionals[1]}"`, {
        hint: 'molt backup [FILE], molt backup verify FILE, molt backup list',
      });
    const report = await backup({ ...options, file: positionals[0], progress: bar.progress });
    bar.done();
    return emit(values.json, { report: report }, renderBackup);
  } finally {
    bar.done();
  }
}

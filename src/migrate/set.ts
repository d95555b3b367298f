import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MoltError } from '../errors.js';
import { checksumOf, rawHashOf } from './checksum.js';
import { parseDirectives } from './directives.js';
import { compareVersions, type Migration } from './migration.js';
import { idOf } from './vocabulary.js';

/** Migrations passed in as data, keyed like file paths: `0001_init.sql` or `20240101_init/migration.sql`. */
export type MigrationBundle = Readonly<Record<string, string>>;

/** Where the migrations come from: a directory, or a bundle embedded in the service. */
export type MigrationSource = { dir: string } | { bundle: MigrationBundle };

interface Entry {
  /** `0001_init.sql` or `<folder>/migration.sql`. */
  key: string;
  source: string;
  bytes: Buffer | string;
}

const FLAT = /^(\d+)_(.+)\.sql$/;
const FOLDER = /^(\d[\d-]*)_(.+)$/;
/** Folder-per-migration layouts molt adopts as they are: Prisma, then Diesel. */
const FOLDER_FILES = ['migration.sql', 'up.sql'];
/** Other tools' down migrations; molt has none and leaves them alone. */
const IGNORED_FILE = /\.down\.sql$/;

/** Refuses a path that is not a readable regular file, naming what it is: a symlink to nothing, a FIFO, a device. */
function assertRegular(path: string, refuse: (what: string, hint: string, cause?: unknown) => MoltError): void {
  let st;
  try {
    st = statSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw refuse('is a symlink to nothing', 'Point the link at the migration file, or remove it', cause);
    if (code === 'ELOOP')
      throw refuse('is a symlink that loops', 'Point the link at the migration file, or remove it', cause);
    throw refuse(`cannot be read: ${(cause as Error).message}`, 'Check the file and its permissions', cause);
  }
  if (!st.isFile())
    throw refuse(
      `is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'a device'})`,
      'A migration is a plain .sql file; remove or rename this one',
    );
}

/**
 * Reads one migration file; anything that is not a readable regular file (a FIFO would block forever, a dangling or
 * looping symlink, a device, a file this user may not read) is an error naming it. `regular`: the directory listing
 * said so already, which spares a stat per file on every boot.
 */
function readMigrationFile(path: string, regular = false): Buffer {
  const refuse = (what: string, hint: string, cause?: unknown): MoltError =>
    new MoltError('MIGRATION_FILE_INVALID', `${path}: ${what}`, { cause, hint, details: { file: path } });
  if (!regular) assertRegular(path, refuse);
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw refuse(
      code === 'EACCES' ? 'cannot be read: permission denied' : `cannot be read: ${(cause as Error).message}`,
      'Give the user molt runs as read access to the migrations',
      cause,
    );
  }
}

function readDirectory(dir: string): Entry[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MoltError('MIGRATION_DIR_MISSING', `Migrations directory ${dir} does not exist`, {
      hint: 'Create it, point --dir or MOLT_MIGRATIONS_DIR at it, or run `molt new NAME` to start one',
      details: { dir },
    });
  }
  const entries: Entry[] = [];
  // Sources are named relative to the working directory, for messages; worked out once for the directory.
  const shown = relative(process.cwd(), dir);
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (item.name.startsWith('.')) continue;
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      const file = FOLDER_FILES.find((f) => existsSync(join(path, f)));
      if (!file) {
        throw new MoltError('MIGRATION_FILE_INVALID', `${path}: folder holds no migration.sql or up.sql`, {
          hint: 'A folder-per-migration layout needs <version>_<name>/migration.sql (Prisma) or up.sql (Diesel)',
          details: { file: path },
        });
      }
      entries.push({
        key: `${item.name}/${file}`,
        source: join(shown, item.name, file),
        bytes: readMigrationFile(join(path, file)),
      });
    } else if (item.name.endsWith('.sql') && !IGNORED_FILE.test(item.name)) {
      entries.push({
        key: item.name,
        source: join(shown, item.name),
        bytes: readMigrationFile(path, item.isFile()),
      });
    }
  }
  return entries;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function fileError(entry: Entry, at: number, text: string, message: string, hint: string): MoltError {
  const line = text.slice(0, at).split(/\r\n?|\n/).length;
  return new MoltError('MIGRATION_FILE_INVALID', `${entry.source}:${line}: ${message}`, {
    hint,
    details: { file: entry.source, line },
  });
}

/**
 * The text a migration runs: valid UTF-8 without NUL, line endings as LF. The checksum already reads CR and CRLF
 * as LF, so the text sent must too: a `--` comment ended by a lone CR would otherwise swallow the next statement.
 */
function migrationText(entry: Entry): string {
  let text: string;
  if (typeof entry.bytes === 'string') text = entry.bytes;
  else {
    try {
      text = UTF8.decode(entry.bytes);
    } catch {
      const lossy = entry.bytes.toString('utf8');
      throw fileError(
        entry,
        lossy.indexOf('\uFFFD'),
        lossy,
        'is not valid UTF-8',
        'Save the file as UTF-8; molt runs and hashes migrations as UTF-8 text',
      );
    }
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    // A NUL ends the text where the database's client library reads it, cutting off what follows.
    throw fileError(
      entry,
      nul,
      text,
      'holds a NUL byte',
      'Remove it; a migration is SQL text, and a NUL would cut the statement short',
    );
  }
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function toMigration(entry: Entry, version: string, name: string): Migration {
  const text = migrationText(entry);
  const directives = parseDirectives(text, entry.source);
  return {
    version,
    name,
    id: idOf({ version, name }),
    source: entry.source,
    phase: directives.phase,
    transaction: directives.transaction,
    allow: directives.allow,
    sql: text,
    checksum: checksumOf(text),
    rawHash: rawHashOf(entry.bytes),
  };
}

function buildSet(entries: Entry[]): Migration[] {
  const flat: Migration[] = [];
  const folders: { folder: string; migration: Migration }[] = [];
  for (const entry of entries) {
    const slash = entry.key.indexOf('/');
    if (slash === -1) {
      const match = FLAT.exec(entry.key);
      if (!match) {
        throw new MoltError(
          'MIGRATION_FILE_INVALID',
          `${entry.source}: file name does not parse as <version>_<name>.sql`,
          {
            hint: 'Name migrations like 0001_create_users.sql or 20261122093000_add_index.sql (version digits, underscore, name)',
            details: { file: entry.source },
          },
        );
      }
      flat.push(toMigration(entry, match[1], match[2]));
    } else {
      const folder = entry.key.slice(0, slash);
      const match = FOLDER.exec(folder);
      if (!match) {
        throw new MoltError(
          'MIGRATION_FILE_INVALID',
          `${entry.source}: folder name does not parse as <version>_<name>`,
          {
            hint: 'Name migration folders like 20240101120000_init',
            details: { file: entry.source },
          },
        );
      }
      folders.push({ folder, migration: toMigration(entry, match[1].replaceAll('-', ''), match[2]) });
    }
  }
  if (flat.length > 0 && folders.length > 0) {
    throw new MoltError(
      'MIGRATION_FILE_INVALID',
      `Migrations mix flat files (${flat[0].source}) and migration folders (${folders[0].migration.source})`,
      {
        hint: 'Keep one layout per directory',
      },
    );
  }
  if (folders.length > 0) {
    // Prisma and Diesel order by folder name, so two folders may share a timestamp.
    return folders.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)).map((f) => f.migration);
  }
  flat.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < flat.length; i++) {
    if (compareVersions(flat[i - 1].version, flat[i].version) === 0) {
      throw new MoltError(
        'MIGRATION_DUPLICATE',
        `Version ${flat[i].version} is used twice: ${flat[i - 1].source} and ${flat[i].source}`,
        {
          hint: 'Give one of them the next free version; versions compare as integers, so 0001 and 1 are the same',
          details: { version: flat[i].version, files: [flat[i - 1].source, flat[i].source] },
        },
      );
    }
  }
  return flat;
}

/**
 * Reads and orders a migration set; every file problem is an error naming the file.
 * @example
 * const migrations = loadMigrations({ bundle: { '0001_init.sql': 'CREATE TABLE t (id int);' } });
 */
export function loadMigrations(from: MigrationSource): Migration[] {
  if ('bundle' in from) {
    return buildSet(Object.entries(from.bundle).map(([key, text]) => ({ key, source: `bundle:${key}`, bytes: text })));
  }
  return buildSet(readDirectory(from.dir));
}

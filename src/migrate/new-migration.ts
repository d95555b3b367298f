import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MoltError } from '../errors.js';
import { resolveConfig, type ConfigInput } from '../config/config.js';
import { loadMigrations } from './set.js';
import { SUM_FILE, writeSum } from './sum.js';
import { TEMPLATES } from './template.js';

/** Options of `newMigration`. */
export interface NewMigrationOptions extends Pick<ConfigInput, 'dir'> {
  contract?: boolean;
  cwd?: string;
  /** Clock for timestamp versions; tests pin it. */
  now?: Date;
}

const timestamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** Picks the next version in the style the directory already uses: zero-padded sequence or UTC timestamp. */
function nextVersion(existing: string[], now: Date): string {
  if (existing.length === 0) return '0001';
  const last = existing.map((v) => BigInt(v)).reduce((a, b) => (a > b ? a : b));
  const width = existing.at(-1)!.length;
  if (width >= 14) {
    const stamp = BigInt(timestamp(now).padEnd(width, '0'));
    return (stamp > last ? stamp : last + 1n).toString();
  }
  return (last + 1n).toString().padStart(width, '0');
}

// File names stop at 255 bytes; a version, an underscore, `.sql` or a folder around the name must fit too.
const MAX_NAME = 120;
const FOLDER = /^(\d[\d-]*)_(.+)$/;
const FOLDER_FILES = ['migration.sql', 'up.sql'];

/** The layout a directory already uses: flat files, or a folder per migration (Prisma's migration.sql, Diesel's up.sql). */
function layoutOf(dir: string): { kind: 'flat' } | { kind: 'folder'; file: string; dashed: boolean } {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (!item.isDirectory() || !FOLDER.test(item.name)) continue;
    const file = FOLDER_FILES.find((f) => existsSync(join(dir, item.name, f)));
    if (file) return { kind: 'folder', file, dashed: item.name.includes('-') };
  }
  return { kind: 'flat' };
}

/** Diesel's folder version, `2024-01-02-030405`, from 14 digits. */
const dashed = (v: string): string => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}-${v.slice(8, 14)}`;

/**
 * Creates the next migration in the layout the directory already uses: `<version>_<name>.sql`, or a folder
 * `<timestamp>_<name>/migration.sql` (Prisma) or `up.sql` (Diesel); returns its path.
 * @example
 * const { path } = await newMigration('add_notes', { dir: './migrations' });
 */
export function newMigration(name: string, options: NewMigrationOptions = {}): { path: string; version: string } {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug)
    throw new MoltError('USAGE', `Migration name "${name}" has no letters or digits`, {
      hint: 'Try: molt new add_users_table',
    });
  if (slug.length > MAX_NAME) {
    throw new MoltError('USAGE', `Migration name is ${slug.length} characters long; molt takes at most ${MAX_NAME}`, {
      hint: 'Say what it does in a few words: molt new add_users_table',
    });
  }
  const cwd = options.cwd ?? process.cwd();
  const dir = resolveConfig({ dir: options.dir }, { cwd }).dir;
  mkdirSync(dir, { recursive: true });
  const layout = layoutOf(dir);
  const now = options.now ?? new Date();
  let path: string;
  let version: string;
  if (layout.kind === 'folder') {
    // Folder layouts order by name and use UTC timestamps; a new one sorts after every folder there.
    const existing = readdirSync(dir)
      .map((f) => FOLDER.exec(f)?.[1]?.replaceAll('-', ''))
      .filter((v): v is string => v !== undefined);
    version = nextVersion(existing.length ? existing : ['0'.repeat(14)], now);
    path = join(dir, `${layout.dashed ? dashed(version) : version}_${slug}`, layout.file);
  } else {
    const versions = readdirSync(dir)
      .map((f) => /^(\d+)_.+\.sql$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    version = nextVersion(versions, now);
    path = join(dir, `${version}_${slug}.sql`);
  }
  if (existsSync(path)) throw new MoltError('MIGRATION_DUPLICATE', `${path} already exists`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, options.contract ? TEMPLATES.contract : TEMPLATES.expand, { flag: 'wx' });
  // A directory that keeps molt.sum keeps it current, so the new file passes `molt lint` as written.
  if (existsSync(join(dir, SUM_FILE))) writeSum(dir, loadMigrations({ dir }));
  return { path: relative(cwd, path) || path, version };
}

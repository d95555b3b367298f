import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MoltError } from '../errors.js';
import { resolveConfig, type ConfigInput } from '../config/config.js';
import { loadMigrations } from './set.js';
import { SUM_FILE, writeSum } from './sum.js';

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

/** Creates `<next version>_<name>.sql` in the migrations directory and returns its path. */
export function newMigration(name: string, options: NewMigrationOptions = {}): { path: string; version: string } {
  const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!slug) throw new MoltError('USAGE', `Migration name "${name}" has no letters or digits`, { hint: 'Try: molt new add_users_table' });
  const cwd = options.cwd ?? process.cwd();
  const dir = resolveConfig({ dir: options.dir }, { cwd }).dir;
  mkdirSync(dir, { recursive: true });
  const versions = readdirSync(dir)
    .map((f) => /^(\d+)_.+\.sql$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const version = nextVersion(versions, options.now ?? new Date());
  const path = join(dir, `${version}_${slug}.sql`);
  if (existsSync(path)) throw new MoltError('MIGRATION_DUPLICATE', `${path} already exists`);
  const header = options.contract
    ? '-- molt:phase contract\n-- Runs only after every instance is on the new version; an older binary cannot start after it.\n\n'
    : '-- Expand: keep the previous release working (add, never drop or rename).\n\n';
  writeFileSync(path, header, { flag: 'wx' });
  // A directory that keeps molt.sum keeps it current, so the new file passes `molt lint` as written.
  if (existsSync(join(dir, SUM_FILE))) writeSum(dir, loadMigrations({ dir }));
  return { path: relative(cwd, path) || path, version };
}

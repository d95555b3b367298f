import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseDatabaseUrl, parseServerUrl } from '../config/url.js';
import { readAbout } from './about.js';

const PREFIX = 'molt-backup-';
// `molt-backup-[<database>-]<UTC time>[-<schema>].tar.gz`; archives of earlier molts have no database part.
const PATTERN = /^molt-backup-(?:([A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*?)-)?(\d{8}T\d{6}\d{3}Z)(-[0-9]+)?\.tar\.gz$/;

/**
 * Which database a URL names, as archives record it: `sqlite:<absolute path>`, or `<kind>://host:port/database`
 * on a server (user, password and parameters left out, so the same database reads the same however it is reached).
 */
export function databaseIdentity(url: string, cwd = process.cwd()): string {
  const parsed = parseDatabaseUrl(url, cwd);
  if ('path' in parsed) return `sqlite:${parsed.path}`;
  const u = parseServerUrl(parsed.url);
  const port = u.port || String(parsed.defaultPort);
  return `${parsed.kind}://${u.hostname}:${port}/${decodeURIComponent(u.pathname.slice(1))}`;
}

/** The database an archive's about.json says it holds, or null when it does not say in a form molt reads. */
export function archiveDatabase(about: Record<string, unknown>): string | null {
  const database = about.database as { identity?: unknown; url?: unknown } | undefined;
  if (typeof database?.identity === 'string') return database.identity;
  if (typeof database?.url !== 'string') return null;
  try {
    return databaseIdentity(database.url);
  } catch {
    return null;
  }
}

/** A short, file-name-safe name for the database, so a directory listing says which database each archive holds. */
function databaseSlug(identity: string): string {
  const name = identity.startsWith('sqlite:')
    ? basename(identity).replace(/\.(db|sqlite3?)$/i, '')
    : identity.slice(identity.lastIndexOf('/') + 1);
  return (
    name
      .replace(/[^A-Za-z0-9_.]+/g, '_')
      .replace(/^[._]+|[._]+$/g, '')
      .slice(0, 48) || 'db'
  );
}

/** The default archive name: the database, the UTC time to the millisecond, then the schema version. */
export function defaultArchiveName(identity: string, schemaVersion: string | null, now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${PREFIX}${databaseSlug(identity)}-${stamp}${schemaVersion ? `-${schemaVersion}` : ''}.tar.gz`;
}

/** The archives molt named in a directory, newest first (by the time in the name); files named by hand are never listed. */
export function moltArchives(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const stamp = (n: string): string => PATTERN.exec(n)![2];
  return names
    .filter((n) => PATTERN.test(n))
    .sort((a, b) => (stamp(a) < stamp(b) ? 1 : stamp(a) > stamp(b) ? -1 : a < b ? 1 : -1))
    .map((n) => join(dir, n));
}

/**
 * Removes the archives of database `identity` beyond its newest `keep` (0 keeps all), never `spare`; returns what it
 * removed. Another database's archives in the same directory, and any archive whose database cannot be read, stay.
 */
export async function applyRetention(dir: string, identity: string, keep: number, spare: string): Promise<string[]> {
  if (keep === 0) return [];
  const removed: string[] = [];
  let kept = 0;
  for (const file of moltArchives(dir)) {
    if (file === resolve(spare)) {
      kept++;
      continue;
    }
    const about = await readAbout(file).catch(() => null);
    if (!about || archiveDatabase(about) !== identity) continue;
    if (++kept <= keep || !statSync(file).isFile()) continue;
    rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'molt-backup-';
const PATTERN = /^molt-backup-\d{8}T\d{6}\d{3}Z(-[0-9]+)?\.tar\.gz$/;

/** The default archive name: the UTC time to the millisecond, then the schema version, so names sort by age. */
export function defaultArchiveName(schemaVersion: string | null, now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${PREFIX}${stamp}${schemaVersion ? `-${schemaVersion}` : ''}.tar.gz`;
}

/** The archives molt named in a directory, newest first; files named by hand are never touched by retention. */
export function moltArchives(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => PATTERN.test(n)).sort().reverse().map((n) => join(dir, n));
}

/** Removes molt's archives beyond the newest `keep` (0 keeps all), never `spare`; returns what it removed. */
export function applyRetention(dir: string, keep: number, spare: string): string[] {
  if (keep === 0) return [];
  const removed: string[] = [];
  for (const file of moltArchives(dir).slice(keep)) {
    if (file === spare || !statSync(file).isFile()) continue;
    rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

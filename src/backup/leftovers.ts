import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

// Names of molt's own temporary files and folders carry the pid of the process that made them, so a later run can tell
// a leftover of a process that died (kill -9, power loss) from the work of one still running.
const OWNED = [
  /^\.molt-(?:backup|restore)-(\d+)-/, // staging folders of a backup or restore
  /\.molt-restore-(\d+)-[0-9a-f]+$/, // the SQLite copy being checked before it is renamed into place
  /\.molt-new-(\d+)-/, // a restored data directory waiting to be renamed into place
  /\.molt-old-(\d+)-/, // a replaced data directory waiting to be removed
  /\.(\d+)\.partial$/, // an archive being written
];

const mine = new Set<string>();

/** A name tag `<pid>-<random>` for a temporary file or folder this process makes, remembered as its own. */
export function ownedTag(): string {
  const tag = `${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
  mine.add(tag);
  return tag;
}

/** True while process `pid` runs; this process's own pid counts only for names it made (a container reuses pids). */
export function processAlive(pid: number, name: string): boolean {
  if (pid === process.pid) return [...mine].some((tag) => name.includes(tag));
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a leftover's name carries, or null when molt did not name it. */
export function leftoverPid(name: string): number | null {
  for (const re of OWNED) {
    const m = re.exec(name);
    if (m) return Number(m[1]);
  }
  return null;
}

/**
 * Removes what interrupted molt processes left in `dir`: staging folders, half-written archives, unchecked copies.
 * Only names molt gives, and only those whose process is gone; returns the paths removed, for the report.
 */
export async function sweepLeftovers(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // A journal still there names staged copies and replaced targets that a restore has not finished swapping: nothing
  // here may go until `recoverSwaps` has finished it.
  if (names.some((n) => n.endsWith('.journal.json') && leftoverPid(n) !== null)) return [];
  const removed: string[] = [];
  for (const name of names) {
    const pid = leftoverPid(name);
    if (pid === null || processAlive(pid, name)) continue;
    const path = join(dir, name);
    await rm(path, { recursive: true, force: true }).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { link, lstat, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leftoverPid, ownedTag, processAlive } from './leftovers.js';

/** One rename of a restore: the staged copy takes the target's place, and the target moves aside first. */
export interface SwapStep {
  target: string;
  staged: string;
  /** Where the replaced target goes; kept when `keepAside` (a database, as the server restores keep theirs). */
  aside: string;
  keepAside: boolean;
}

const JOURNAL = /^\.molt-restore-(\d+)-.*\.journal\.json$/;

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}

/** Makes one step happen, from wherever an earlier attempt stopped: the target aside, then the staged copy in. */
async function complete(step: SwapStep): Promise<void> {
  if (!existsSync(step.staged)) return;
  const target = await lstat(step.target).catch(() => null);
  if (target && !existsSync(step.aside)) {
    // A file is linked aside and then replaced in one rename, so its path never stands empty for an opener to fill.
    if (target.isDirectory()) await rename(step.target, step.aside);
    else await link(step.target, step.aside);
  }
  await rename(step.staged, step.target);
}

/**
 * Swaps several staged copies into place as one: a journal naming every step is written (and synced) first, so a
 * process killed between two renames leaves what `recoverSwaps` finishes, never a new database beside old data
 * directories. Replaced directories are removed once every step is done; a replaced database is kept.
 */
export async function swapTogether(dir: string, steps: readonly SwapStep[]): Promise<void> {
  const journal = join(dir, `.molt-restore-${ownedTag()}.journal.json`);
  await writeFile(journal, `${JSON.stringify({ pid: process.pid, steps }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  const handle = await open(journal, 'r+');
  await handle.sync();
  await handle.close();
  await syncDir(dir);
  const done: SwapStep[] = [];
  try {
    for (const step of steps) {
      await complete(step);
      done.push(step);
    }
  } catch (error) {
    // Put back what moved, newest first; the journal goes too, since nothing is left half done.
    for (const step of done.reverse()) {
      await rename(step.target, step.staged).catch(() => undefined);
      if (existsSync(step.aside)) await rename(step.aside, step.target).catch(() => undefined);
    }
    for (const step of steps.slice(done.length))
      if (!existsSync(step.target) && existsSync(step.aside))
        await rename(step.aside, step.target).catch(() => undefined);
    await rm(journal, { force: true });
    throw error;
  }
  await syncDir(dir);
  await rm(journal, { force: true });
  for (const step of steps) if (!step.keepAside) await rm(step.aside, { recursive: true, force: true });
}

/**
 * Finishes the swaps that a restore killed part-way left journalled in `dir` (its process is gone): every step is
 * completed, as the restore meant. Returns what it finished, for the report.
 */
export async function recoverSwaps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => JOURNAL.test(n));
  } catch {
    return [];
  }
  const finished: string[] = [];
  for (const name of names) {
    const pid = leftoverPid(name);
    if (pid === null || processAlive(pid, name)) continue;
    const path = join(dir, name);
    let steps: SwapStep[];
    try {
      steps = (JSON.parse(readFileSync(path, 'utf8')) as { steps: SwapStep[] }).steps;
    } catch {
      // Written and synced before the first rename: one that does not read was cut before anything moved.
      await rm(path, { force: true });
      continue;
    }
    for (const step of steps) await complete(step);
    await syncDir(dir);
    await rm(path, { force: true });
    for (const step of steps) if (!step.keepAside) await rm(step.aside, { recursive: true, force: true });
    finished.push(...steps.map((s) => s.target));
  }
  return finished;
}

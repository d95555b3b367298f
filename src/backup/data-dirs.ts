import { readdirSync, statSync } from 'node:fs';
import { chmod, cp, lchown, lstat, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MoltError, messageOf } from '../errors.js';
import type { ArchiveSource } from './archive-write.js';
import { DATA_DIR_NAME, entryPathProblem } from './manifest.js';
import { ownedTag } from './leftovers.js';
import { swapTogether, type SwapStep } from './swap-journal.js';

/** A file of a data directory that the backup leaves out, and why. */
export interface SkippedFile {
  /** The path on disk. */
  file: string;
  reason: string;
}

/** What a data directory contributes to an archive. */
export interface DataDirListing {
  sources: ArchiveSource[];
  /** Symlinks, sockets, fifos, devices and names no archive can hold; the caller should warn about them. */
  skipped: SkippedFile[];
}

/**
 * Lists the regular files under `dir`, recursively and sorted, as `data/<name>/<relative path>`.
 * Symlinks are never followed nor stored (following could leave the directory or store data twice);
 * they are returned in `skipped`, like sockets, fifos and devices. Empty directories are not stored.
 */
export function listDataDir(name: string, dir: string): DataDirListing {
  if (!DATA_DIR_NAME.test(name) || name === '.' || name === '..') {
    throw new MoltError(
      'CONFIG_INVALID',
      `Data directory name "${name}" is not valid: use letters, digits, '.', '_' and '-'`,
      { details: { name } },
    );
  }
  const root = resolve(dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error('it is not a directory');
  } catch (error) {
    throw new MoltError(
      'BACKUP_FAILED',
      `Data directory "${name}" (${root}) cannot be backed up: ${messageOf(error)}`,
      {
        cause: error,
        hint: 'fix the path in the configuration, or create the directory',
        details: { name, dir: root },
      },
    );
  }
  const listing: DataDirListing = { sources: [], skipped: [] };
  walk(root, `data/${name}`, listing);
  return listing;
}

/** The archive sources of a data directory; see listDataDir, which also says what was skipped. */
export function dataDirSources(name: string, dir: string): ArchiveSource[] {
  return listDataDir(name, dir).sources;
}

function walk(dir: string, prefix: string, listing: DataDirListing): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const file = join(dir, entry.name);
    const path = `${prefix}/${entry.name}`;
    const problem = entryPathProblem(path);
    if (problem) listing.skipped.push({ file, reason: `its name cannot be stored in an archive: ${problem}` });
    else if (entry.isDirectory()) walk(file, path, listing);
    else if (entry.isFile()) listing.sources.push({ path, file });
    else if (entry.isSymbolicLink())
      listing.skipped.push({ file, reason: 'it is a symlink; molt stores only regular files' });
    else listing.skipped.push({ file, reason: 'it is a socket, fifo or device; molt stores only regular files' });
  }
}

/**
 * Stages `extractedDir` beside `target` (renamed, or copied across filesystems), with the old directory's mode and owner,
 * and returns the swap that puts it in place. A missing `extractedDir` stands for a data directory that was empty when
 * backed up. A target that is a symlink (say, to a bigger disk) keeps pointing where it did: what it points to is replaced.
 */
export async function stageDataDir(extractedDir: string, target: string): Promise<SwapStep> {
  const stamp = `${ownedTag()}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const dest = await realpath(resolve(target)).catch(() => resolve(target));
  const fail = (what: string, cause?: unknown): MoltError =>
    new MoltError(
      'RESTORE_FAILED',
      `Cannot restore data directory ${dest}: ${what}${cause ? `: ${messageOf(cause)}` : ''}`,
      { cause, details: { target: dest, from: extractedDir } },
    );
  const source = await stat(extractedDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw fail(`cannot read ${extractedDir}`, error);
  });
  if (source && !source.isDirectory()) throw fail(`${extractedDir} is not a directory`);
  const old = await lstat(dest).catch(() => null);
  if (old && !old.isDirectory()) throw fail('it exists and is not a directory', undefined);
  // Beside the target, so the swap is two renames on one filesystem.
  const staging = `${dest}.molt-new-${stamp}`;
  try {
    await mkdir(dirname(dest), { recursive: true });
    if (!source) await mkdir(staging);
    else {
      await rename(extractedDir, staging).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EXDEV') throw error;
        await cp(extractedDir, staging, {
          recursive: true,
          errorOnExist: true,
          force: false,
          preserveTimestamps: true,
        });
      });
    }
    if (old) await adopt(staging, old);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw fail('cannot stage the restored files beside it', error);
  }
  return { target: dest, staged: staging, aside: `${dest}.molt-old-${stamp}`, keepAside: false };
}

/**
 * Replaces `target` with `extractedDir`: stages it beside the target, then swaps it in under a journal
 * (`swapTogether`), so the previous directory is put back on failure and a killed restore is finished by the next one.
 */
export async function restoreDataDir(extractedDir: string, target: string): Promise<void> {
  const step = await stageDataDir(extractedDir, target);
  try {
    await swapTogether(dirname(step.target), [step]);
  } catch (error) {
    await rm(step.staged, { recursive: true, force: true }).catch(() => undefined);
    throw new MoltError(
      'RESTORE_FAILED',
      `Cannot restore data directory ${step.target}: cannot move the restored files into place; the previous directory is as it was: ${messageOf(error)}`,
      {
        cause: error,
        details: { target: step.target },
      },
    );
  }
}

/** Gives the new tree the old directory's mode and, when run as root, its owner, so the service can still write there. */
async function adopt(dir: string, old: { mode: number; uid: number; gid: number }): Promise<void> {
  await chmod(dir, old.mode & 0o7777);
  if (process.getuid?.() !== 0) return;
  await lchown(dir, old.uid, old.gid);
  for (const entry of await readdir(dir, { recursive: true })) await lchown(join(dir, entry), old.uid, old.gid);
}

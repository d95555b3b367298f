import { posix } from 'node:path';
import type { ReadEntry } from 'tar';
import { MoltError } from '../errors.js';
import { MANIFEST_PATH, entryPathProblem } from './manifest.js';
import type { Manifest } from './types.js';

const REGULAR = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Refuses unsafe or unexpected entries from the raw header, before any of their bytes are used. */
export function checkEntry(file: string, entry: ReadEntry, seen: Map<string, unknown>, dirs: Set<string>): void {
  const path = entry.path;
  const problem = entryPathProblem(path);
  if (problem) throw unsafe(file, path, problem);
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    const kind = entry.type === 'Link' ? 'a hard link' : 'a symlink';
    // Symlink targets are relative to the link's directory; hard link targets to the archive root.
    const resolved =
      entry.type === 'Link' ? posix.normalize(target) : posix.normalize(posix.join(posix.dirname(path), target));
    const escapes = target.startsWith('/') || resolved === '..' || resolved.startsWith('../');
    throw unsafe(
      file,
      path,
      escapes
        ? `it is ${kind} to ${target}, which points outside the archive`
        : `it is ${kind} to ${target}; molt archives hold only regular files`,
    );
  }
  if (!REGULAR.has(entry.type)) {
    const what = /Device|FIFO/.test(entry.type)
      ? 'a device or fifo'
      : entry.type === 'Directory'
        ? 'a directory entry'
        : `of tar type ${entry.type}`;
    throw unsafe(file, path, `it is ${what}; molt archives hold only regular files`);
  }
  if (seen.has(path)) throw invalid(file, `entry "${path}" appears twice`);
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (seen.has(prefix)) throw invalid(file, `entry "${path}" lies under the file entry "${prefix}"`);
    dirs.add(prefix);
  }
  if (dirs.has(path)) throw invalid(file, `entry "${path}" is a file, but earlier entries lie under it`);
}

/** Every difference between what the manifest lists and what the archive holds, naming each entry. */
export function compare(manifest: Manifest, seen: Map<string, { size: number; sha256: string }>): string[] {
  const lies: string[] = [];
  const listed = new Set<string>();
  for (const entry of manifest.entries) {
    listed.add(entry.path);
    const actual = seen.get(entry.path);
    if (!actual) lies.push(`entry "${entry.path}" is listed in the manifest but missing from the archive`);
    else if (actual.size !== entry.size)
      lies.push(`entry "${entry.path}" is ${actual.size} bytes, the manifest says ${entry.size}`);
    else if (actual.sha256 !== entry.sha256)
      lies.push(
        `entry "${entry.path}" has sha256 ${actual.sha256}, the manifest says ${entry.sha256}: its bytes are damaged`,
      );
  }
  for (const path of seen.keys()) {
    if (path !== MANIFEST_PATH && !listed.has(path))
      lies.push(`entry "${path}" is in the archive but not listed in the manifest`);
  }
  return lies;
}

/** An entry that could write outside the target, or is not a regular file. */
export function unsafe(file: string, path: string, problem: string): MoltError {
  return new MoltError('BACKUP_INVALID', `Backup ${file}: unsafe entry "${path}": ${problem}`, {
    hint: 'molt refuses archives with entries that could write outside the target; this archive was not written by molt or was tampered with',
    details: { file, entry: path },
  });
}

/** An archive that is damaged, lies, or was not written by molt. */
export function invalid(file: string, message: string, hint?: string, cause?: unknown): MoltError {
  return new MoltError('BACKUP_INVALID', `Backup ${file}: ${message}`, {
    cause,
    hint: hint ?? 'the archive is damaged or was not written by molt; use another backup',
    details: { file },
  });
}

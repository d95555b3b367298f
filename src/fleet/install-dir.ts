import { mkdir, open, readFile, readlink, rename, rm, symlink, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { MoltError } from '../errors.js';

/** The file an installed version runs: one self-contained script per version (bundle the agent into one file). */
export const ENTRY_FILE = 'agent.mjs';

/** Where an upgrade is, as the agent's install directory records it across the re-exec. */
export interface UpgradeMarker {
  dispatchId: string | null;
  from: string;
  to: string;
  /** `trial` until the new version confirms; `confirmed`; or `rolled_back` with the reason. */
  state: 'trial' | 'confirmed' | 'rolled_back';
  reason?: string;
  /** `dispatch` (sent by the fleet) or `bundle` (installed by hand). */
  source: 'dispatch' | 'bundle';
  /** Starts of the new version with no predecessor watching it (a service manager restarting it). */
  starts?: number;
  /** The previous version's entry file, to go back to. */
  previousEntry: string;
  at: string;
}

/** What an install directory holds. */
export interface InstallState {
  current: string | null;
  previous: string | null;
  marker: UpgradeMarker | null;
}

/** Refuses a version that could not be a directory name of its own. */
export function checkVersionName(version: string): string {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]{0,127}$/.test(version))
    throw new MoltError('FLEET_REFUSED', `version ${JSON.stringify(version)} is not a valid version name`, {
      hint: 'Versions are letters, digits, dots, dashes, underscores and plus signs, starting with a letter or digit',
    });
  return version;
}

/** The entry file of an installed version. */
export function entryOf(dir: string, version: string): string {
  return join(dir, 'versions', checkVersionName(version), ENTRY_FILE);
}

/** Writes a file whole or not at all: a temporary file, fsynced, renamed over the target. */
export async function writeAtomically(path: string, data: string, mode = 0o644): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  const file = await open(temporary, 'w', mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/**
 * Moves a verified download into `versions/<version>/` beside the others: unpacked in a temporary directory and renamed
 * into place, so a version directory is whole or absent. The running version's directory is never touched.
 */
export async function installVersion(dir: string, version: string, verifiedFile: string): Promise<string> {
  checkVersionName(version);
  const versions = join(dir, 'versions');
  await mkdir(versions, { recursive: true });
  const staging = join(versions, `.staging-${version}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  await rename(verifiedFile, join(staging, ENTRY_FILE));
  await chmod(join(staging, ENTRY_FILE), 0o755);
  const target = join(versions, version);
  const current = await readCurrent(dir);
  if (current === version)
    throw new MoltError('FLEET_REFUSED', `version ${version} is the one running; it is not installed over itself`);
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return join(target, ENTRY_FILE);
}

async function readLink(path: string): Promise<string | null> {
  try {
    return (await readlink(path)).split('/').pop() ?? null;
  } catch {
    return null;
  }
}

/** The version `current` points at, if any. */
export async function readCurrent(dir: string): Promise<string | null> {
  return readLink(join(dir, 'current'));
}

async function pointAt(dir: string, name: string, version: string): Promise<void> {
  const temporary = join(dir, `.${name}-${process.pid}`);
  await rm(temporary, { force: true });
  await symlink(join('versions', version), temporary);
  await rename(temporary, join(dir, name));
}

/** Points `current` at `version` (one rename, atomic) and `previous` at what `current` was. */
export async function switchCurrent(dir: string, version: string, previous: string | null): Promise<void> {
  if (previous) await pointAt(dir, 'previous', previous);
  await pointAt(dir, 'current', version);
}

/** The upgrade marker, if one is there. */
export async function readMarker(dir: string): Promise<UpgradeMarker | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'upgrade.json'), 'utf8')) as UpgradeMarker;
  } catch {
    return null;
  }
}

/** Writes the upgrade marker atomically. */
export async function writeMarker(dir: string, marker: UpgradeMarker): Promise<void> {
  await writeAtomically(join(dir, 'upgrade.json'), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Current, previous and the marker. */
export async function readInstall(dir: string): Promise<InstallState> {
  return {
    current: await readCurrent(dir),
    previous: await readLink(join(dir, 'previous')),
    marker: await readMarker(dir),
  };
}

/** When a process started, in clock ticks since boot (Linux), so a pid the system reused is never taken for it. */
async function startTimeOf(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Writes the pid file the offline installer signals: the pid and when that process started. */
export async function writePid(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, 'agent.pid'), `${process.pid} ${(await startTimeOf(process.pid)) ?? '-'}\n`);
}

/** The agent process the pid file names, if it still runs (the same process, not a reused pid). */
export async function runningAgent(dir: string): Promise<number | null> {
  try {
    const [pidText, started] = (await readFile(join(dir, 'agent.pid'), 'utf8')).trim().split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 1) return null;
    process.kill(pid, 0);
    const now = await startTimeOf(pid);
    if (started && started !== '-' && now !== null && now !== started) return null;
    return pid;
  } catch {
    return null;
  }
}

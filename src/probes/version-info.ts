import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { COMMIT_ENV } from '../runtime/index.js';

const GIT_TIMEOUT_MS = 2_000;
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)/;

/** The commit and where it was found. */
export interface CommitInfo {
  commit: string | null;
  source: 'env' | 'file' | 'git' | null;
}

const firstLine = (text: string): string | null => text.trim().split(/\r?\n/)[0]?.trim() || null;

function gitHead(cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : firstLine(String(stdout)));
    });
  });
}

/**
 * Finds the commit once, at startup: an environment variable (`COMMIT_SHA`, then `GIT_COMMIT`,
 * then `SOURCE_COMMIT`), then the commit file, then `git rev-parse HEAD` in `cwd`. Explicit wins
 * over discovered, since images often carry a stale `.git` or none.
 */
export async function resolveCommit(cwd: string, commitFile: string, env: NodeJS.ProcessEnv): Promise<CommitInfo> {
  for (const name of COMMIT_ENV) {
    const value = firstLine(env[name] ?? '');
    if (value) return { commit: value, source: 'env' };
  }
  const fromFile = await readFile(commitFile, 'utf8').then(firstLine, () => null);
  if (fromFile) return { commit: fromFile, source: 'file' };
  const fromGit = await gitHead(cwd);
  return fromGit ? { commit: fromGit, source: 'git' } : { commit: null, source: null };
}

/** Major, minor and patch of a semantic version; nulls when it is not one. */
export function semverParts(version: string | null): {
  major: number | null;
  minor: number | null;
  patch: number | null;
} {
  const match = version ? SEMVER.exec(version) : null;
  if (!match) return { major: null, minor: null, patch: null };
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

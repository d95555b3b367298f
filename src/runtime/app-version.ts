import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Environment variables read for the commit, first set one wins. */
export const COMMIT_ENV = ['COMMIT_SHA', 'GIT_COMMIT', 'SOURCE_COMMIT'] as const;

/** How a call names the service's version: given, from `MOLT_APP_VERSION`, or read from a package.json. */
export interface AppVersionSource {
  /** The version itself; `null` records none. */
  appVersion?: string | null;
  /** Base directory for `packageJson`. */
  cwd?: string;
  /** The service's package.json, relative to `cwd`; default `package.json`. */
  packageJson?: string;
}

/** The service's version: the option, else `MOLT_APP_VERSION`, else `version` in its package.json; null when none says. */
export function resolveAppVersion(source: AppVersionSource = {}): string | null {
  if (source.appVersion !== undefined) return source.appVersion;
  if (process.env.MOLT_APP_VERSION !== undefined) return process.env.MOLT_APP_VERSION;
  try {
    const file = resolve(source.cwd ?? process.cwd(), source.packageJson ?? 'package.json');
    const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

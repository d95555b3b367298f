import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** molt's own version, from its package.json. */
export const MOLT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The version of the service in `cwd`, from its package.json; null when there is none. */
export function appVersionFrom(cwd: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

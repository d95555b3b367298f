import { compareVersions, type Migration } from './migration.js';

/**
 * The migrations a release knows, as much as is needed to tell whether a migration would break it: its newest
 * version (an expand migration past it keeps it working) and the ids of its contract migrations.
 */
export interface Knowledge {
  /** The newest version of the release's migration set; null when the set is empty. */
  newest: string | null;
  /** Ids (`<version>_<name>`) of the release's contract migrations. */
  contracts: string[];
}

/** What a migration set knows. */
export function knowledgeOf(migrations: readonly Migration[]): Knowledge {
  return {
    newest: migrations.reduce<string | null>(
      (newest, m) => (newest === null || compareVersions(m.version, newest) > 0 ? m.version : newest),
      null,
    ),
    contracts: migrations.filter((m) => m.phase === 'contract').map((m) => m.id),
  };
}

/**
 * Whether a release that knows `k` keeps working once `m` is applied: an expand migration keeps every release working,
 * a contract migration only the releases that ship it. An unknown set (null) is assumed to break, never guessed safe.
 */
export function survives(k: Knowledge | null, m: { id: string; phase: string }): boolean {
  if (m.phase === 'expand') return true;
  return k !== null && k.contracts.includes(m.id);
}

/** Knowledge as the instances and releases tables store it: the newest version, and the contract ids as JSON. */
export function knowledgeColumns(k: Knowledge | null): { newest: string | null; contracts: string | null } {
  return k === null ? { newest: null, contracts: null } : { newest: k.newest, contracts: JSON.stringify(k.contracts) };
}

/** Knowledge read back from its columns; a value that is not a JSON array of strings reads as unknown. */
export function knowledgeFrom(newest: unknown, contracts: unknown): Knowledge | null {
  if (contracts == null) return null;
  try {
    const ids: unknown = JSON.parse(String(contracts));
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) return null;
    return { newest: newest == null ? null : String(newest), contracts: ids as string[] };
  } catch {
    return null;
  }
}

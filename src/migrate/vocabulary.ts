import type { HistoryRow, RowStatus } from './history.js';
import { compareVersions, type Migration } from './migration.js';

/** Anything named by a version and a name: a migration, a history row, a reference to either. */
export interface Versioned {
  readonly version: string;
  readonly name: string;
}

/** The id of a migration or history row, `<version>_<name>`: unique within a set and within a history. */
export const idOf = (m: Versioned): string => `${m.version}_${m.name}`;

/** The row statuses that mean the migration's effect is in the database: run (`success`) or adopted (`baseline`). */
export const APPLIED_STATUSES: ReadonlySet<RowStatus> = new Set<RowStatus>(['success', 'baseline']);

/** True when a history row says its migration is applied. */
export const isApplied = (row: { readonly status: string }): boolean => APPLIED_STATUSES.has(row.status as RowStatus);

/** Orders by version (as integers), then name: the order migrations run in. */
export const byVersion = (a: Versioned, b: Versioned): number =>
  compareVersions(a.version, b.version) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The newest version among `items`; null when there are none. */
export function newestVersion(items: Iterable<{ readonly version: string }>): string | null {
  let newest: string | null = null;
  for (const { version } of items) if (newest === null || compareVersions(version, newest) > 0) newest = version;
  return newest;
}

/** Applied migrations this binary does not know, split by what they mean for it. */
export interface UnknownSplit<T> {
  /** Tagged expand: they keep older binaries working. */
  expand: T[];
  /** Everything else: an unreadable or missing phase must not pass as safe. */
  contract: T[];
}

/** Splits applied migrations that the set does not know into expand and contract; the drift check and the compatibility judgement share it. */
export function splitUnknown<T extends { readonly phase: string }>(unknown: readonly T[]): UnknownSplit<T> {
  return { expand: unknown.filter((u) => u.phase === 'expand'), contract: unknown.filter((u) => u.phase !== 'expand') };
}

/** Who records a row: the service's version, molt's, and the host. */
export interface RowAuthor {
  appVersion: string | null;
  moltVersion: string;
  host: string;
}

/** A new history row for `m`, written by `who`, with every column that `fields` does not give empty. */
export function newRow(
  m: Pick<Migration, 'version' | 'name' | 'phase'> & Partial<Pick<Migration, 'checksum' | 'rawHash'>>,
  who: RowAuthor,
  fields: Partial<HistoryRow> & Pick<HistoryRow, 'status'>,
): HistoryRow {
  return {
    version: m.version,
    name: m.name,
    phase: m.phase,
    checksum: m.checksum ?? null,
    rawHash: m.rawHash ?? null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    statementsTotal: null,
    statementsApplied: null,
    error: null,
    errorStatement: null,
    errorLine: null,
    appVersion: who.appVersion,
    moltVersion: who.moltVersion,
    host: who.host,
    statementHashes: null,
    ...fields,
  };
}

import type { DialectSql, Session } from '../drivers/types.js';
import { History, type HistoryRow } from './history.js';
import type { Migration } from './migration.js';
import { byVersion, idOf, isApplied, splitUnknown } from './vocabulary.js';

/**
 * Whether this binary can serve on the database's schema: a readiness verdict, not a drift check
 * (`judge` is that). It never asks for "schema == head", so a database that is ahead stays usable.
 */
export interface Compatibility {
  /** Every required migration is applied and every applied one this binary does not know is expand-phase. */
  compatible: boolean;
  /** The newest applied version (known or not); null on an empty history. */
  applied: string | null;
  /** The newest version this binary requires; null when it requires none. */
  required: string | null;
  /** Required migrations that are not applied, as ids (`<version>_<name>`), oldest first. */
  missing: string[];
  /** Applied migrations this binary does not know that keep older binaries working (the database is ahead). */
  unknownExpand: string[];
  /** Applied migrations this binary does not know that removed what older binaries use. */
  unknownContract: string[];
  /** Why it is incompatible, or what is worth saying when it is compatible and ahead; null otherwise. */
  reason: string | null;
}

const list = (ids: readonly string[]): string =>
  ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;

/**
 * Judges compatibility from the migration set and the history. Required means this binary's
 * expand-phase migrations: its own contract migrations run after the roll, so it must not need them.
 * @example
 * const { compatible, reason } = judgeCompatibility(migrations, rows);
 */
export function judgeCompatibility(migrations: readonly Migration[], rows: readonly HistoryRow[]): Compatibility {
  const applied = rows.filter(isApplied).sort(byVersion);
  const appliedIds = new Set(applied.map(idOf));
  const known = new Set(migrations.map((m) => m.id));
  const required = migrations.filter((m) => m.phase === 'expand').sort(byVersion);

  const missing = required.filter((m) => !appliedIds.has(m.id)).map((m) => m.id);
  // Anything not tagged expand counts as contract: an unreadable phase must not pass as safe.
  const split = splitUnknown(applied.filter((r) => !known.has(idOf(r))));
  const unknownExpand = split.expand.map(idOf);
  const unknownContract = split.contract.map(idOf);

  let reason: string | null = null;
  if (unknownContract.length > 0) {
    reason = `The database has contract migration(s) this binary does not know: ${list(unknownContract)}; run the release that applied them or a newer one`;
  } else if (missing.length > 0) {
    reason = `Migration(s) this binary requires are not applied: ${list(missing)}; run \`molt migrate\` or start an instance that migrates on boot`;
  } else if (unknownExpand.length > 0) {
    reason = `The database is ahead of this binary with expand migration(s) ${list(unknownExpand)}; they keep this binary working`;
  }
  return {
    compatible: missing.length === 0 && unknownContract.length === 0,
    applied: applied.at(-1)?.version ?? null,
    required: required.at(-1)?.version ?? null,
    missing,
    unknownExpand,
    unknownContract,
    reason,
  };
}

/** Reads the history through a session and judges compatibility; a database with no history table has applied nothing. */
export async function readCompatibility(
  session: Session,
  sql: DialectSql,
  table: string,
  migrations: readonly Migration[],
): Promise<Compatibility> {
  return judgeCompatibility(migrations, await new History(session, sql, table).read());
}

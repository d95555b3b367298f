import { MoltError } from '../errors.js';
import type { DialectSql, Session } from '../drivers/types.js';
import type { Verdict } from './verdict.js';

/**
 * True when the history records nothing that may have taken effect: no migration applied, none applied in part, and
 * none interrupted (a statement in flight when a process died may have committed on its own, as MySQL DDL does).
 */
export function nothingRecorded(verdict: Pick<Verdict, 'applied' | 'unknown' | 'partial'>): boolean {
  return (
    verdict.applied.length === 0 &&
    verdict.unknown.length === 0 &&
    verdict.partial.every((p) => p.state === 'failed' && p.statementsApplied === 0)
  );
}

/** Tables in the database that molt did not make (its own share the history table's name as a prefix). */
export async function foreignTables(session: Session, sql: DialectSql, historyTable: string): Promise<string[]> {
  const own = historyTable.slice(historyTable.lastIndexOf('.') + 1).toLowerCase();
  const rows = await session.query<{ name: string }>(sql.listTables);
  return rows
    .map((r) => String(r.name))
    .filter(
      (name) =>
        !name
          .slice(name.lastIndexOf('.') + 1)
          .toLowerCase()
          .startsWith(own),
    );
}

/**
 * The refusal for a database that already holds tables but whose history records nothing: running the first
 * migration there would fail half-way ("already exists") or mix two schemas. `baseline` adopts it.
 */
export function notEmptyError(database: string, tables: string[], firstVersion: string | undefined): MoltError {
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ` and ${tables.length - 5} more` : '');
  return new MoltError(
    'DATABASE_NOT_EMPTY',
    `${database} already has ${tables.length} table(s) (${shown}) but no migration recorded in molt's history`,
    {
      hint:
        `If the schema came from these migrations (or the tool used before molt), run \`molt baseline VERSION\` with the newest version it already reflects` +
        `${firstVersion ? ` (at least ${firstVersion})` : ''}, then migrate; if the tables belong to something else, run \`molt migrate --allow-non-empty\``,
      details: { tables },
    },
  );
}

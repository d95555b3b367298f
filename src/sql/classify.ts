import type { DialectSql } from '../drivers/types.js';
import type { Statement } from './split.js';

// `BEGIN ATOMIC` (PostgreSQL) and `BEGIN NOT ATOMIC` (MariaDB) open a compound statement, not a transaction.
const TX_BEGIN = /^(BEGIN|START TRANSACTION)\b(?! (NOT )?ATOMIC\b)/;
const TX_END = /^(COMMIT|END|ROLLBACK|ABORT)\b(?! TO\b)/;

/** How a statement relates to transactions. */
export type TransactionRole = 'begin' | 'end' | 'non-transactional' | 'plain';

/** Classifies a statement by its leading words. */
export function transactionRole(
  statement: Statement,
  dialect: Pick<DialectSql, 'nonTransactional' | 'lockRegion'>,
): TransactionRole {
  const head = statement.head;
  if (TX_BEGIN.test(head) || dialect.lockRegion.begin.some((re) => re.test(head))) return 'begin';
  if (TX_END.test(head) || dialect.lockRegion.end.some((re) => re.test(head))) return 'end';
  if (dialect.nonTransactional.some((re) => re.test(head))) return 'non-transactional';
  return 'plain';
}

import type { DialectSql } from '../drivers/types.js';
import type { Statement } from './split.js';

/** How a statement relates to transactions. */
export type TransactionRole = 'begin' | 'end' | 'non-transactional' | 'plain';

/** Classifies a statement by its leading words. */
export function transactionRole(
  statement: Statement,
  dialect: Pick<DialectSql, 'nonTransactional' | 'lockRegion' | 'transaction'>,
): TransactionRole {
  const head = statement.head;
  if (dialect.transaction.opens.test(head) || dialect.lockRegion.begin.some((re) => re.test(head))) return 'begin';
  if (dialect.transaction.closes.test(head) || dialect.lockRegion.end.some((re) => re.test(head))) return 'end';
  if (dialect.nonTransactional.some((re) => re.test(head))) return 'non-transactional';
  return 'plain';
}

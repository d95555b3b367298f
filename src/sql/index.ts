export { splitStatements, type Statement } from './split.js';
export { transactionRole, type TransactionRole } from './classify.js';

export { splitScript, splitStatements, type SplitScript, type Statement, type Unclosed } from './split.js';
export { transactionRole, type TransactionRole } from './classify.js';

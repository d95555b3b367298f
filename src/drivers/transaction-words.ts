/**
 * The statements that open and close a transaction, by their leading words, as every supported database spells them.
 * `BEGIN ATOMIC` (PostgreSQL) and `BEGIN NOT ATOMIC` (MariaDB) open a compound statement, not a transaction; a
 * `ROLLBACK TO` ends nothing.
 */
export const TRANSACTION_OPENS = /^(BEGIN|START TRANSACTION)\b(?! (NOT )?ATOMIC\b)/;

/** See `TRANSACTION_OPENS`. */
export const TRANSACTION_CLOSES = /^(COMMIT|END|ROLLBACK|ABORT)\b(?! TO\b)/;

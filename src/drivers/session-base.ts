import { createHash } from 'node:crypto';

/**
 * Sends `sql` between `begin` and COMMIT as one text, so it travels in one round trip; rolls back
 * when a statement fails, since the server stops at the first error with the transaction open.
 */
export async function sendInTransaction(
  send: (text: string) => Promise<unknown>,
  begin: string,
  sql: string,
): Promise<void> {
  try {
    await send(`${begin};\n${sql}\n;\nCOMMIT`);
  } catch (error) {
    await send('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A signed 64-bit integer derived from a lock name, for databases whose locks take numbers. */
export function lockNumber(key: string): bigint {
  const digest = createHash('sha256').update(`molt:${key}`).digest();
  return digest.readBigInt64BE(0);
}

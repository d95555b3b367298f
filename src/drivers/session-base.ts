import { createHash } from 'node:crypto';

/** A signed 64-bit integer derived from a lock name, for databases whose locks take numbers. */
export function lockNumber(key: string): bigint {
  const digest = createHash('sha256').update(`molt:${key}`).digest();
  return digest.readBigInt64BE(0);
}

export type { RestoreOutcome } from '../types.js';

/** `name` cut to fit an identifier limit of `limit` bytes with `suffix` after it (PostgreSQL 63, MySQL 64). */
export function stagingName(name: string, suffix: string, limit: number): string {
  let head = name;
  while (Buffer.byteLength(head + suffix) > limit) head = head.slice(0, -1);
  return head + suffix;
}

/** UTC date and time as 14 digits, for names an operator can sort. */
export function stamp(date = new Date()): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

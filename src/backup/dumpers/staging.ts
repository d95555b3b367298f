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

// A fresh database a restore filled, or was filling, before it swaps it in; `<name>_molt_restore_<time>`.
const FRESH = /^(.*)_molt_restore_(\d{14})$/;
/** How old a fresh database must be before a later restore takes it for a leftover rather than another run's work. */
const STALE_MS = 10_000;

/**
 * The fresh databases an interrupted restore of `name` left on the server, among `databases`: named for it and older
 * than ten seconds. The caller drops only those no session uses.
 */
export function staleFreshDatabases(databases: readonly string[], name: string, now = new Date()): string[] {
  return databases.filter((db) => {
    const m = FRESH.exec(db);
    if (!m || !name.startsWith(m[1]) || m[1].length === 0) return false;
    const t = m[2];
    const made = Date.UTC(
      +t.slice(0, 4),
      +t.slice(4, 6) - 1,
      +t.slice(6, 8),
      +t.slice(8, 10),
      +t.slice(10, 12),
      +t.slice(12, 14),
    );
    return now.getTime() - made > STALE_MS;
  });
}

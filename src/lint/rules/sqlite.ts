import type { Rule } from './rule.js';

/** Rules only the sqlite analyzer reports (shared rules live in the topic files). */
export const SQLITE_RULES: readonly Rule[] = [
  {
    code: 'sqlite-rejected',
    class: 'A',
    dialects: ['sqlite'],
    title: 'SQLite refused the statement when molt replayed the migrations',
    why: 'molt lint runs every migration on an empty in-memory SQLite database and reads the schema change back; this statement failed there, so its effect could not be observed. It may fail on your database too (a typo, a missing column), or only the replay lacks what it needs: a function or extension your application registers at run time, rows the statement expects, or a table an earlier refused statement should have created.',
    instead:
      'Read the message: fix the statement if SQLite is right; if it needs something only your application provides, review what it changes and acknowledge it with `-- molt:allow sqlite-rejected`.',
  },
  {
    code: 'table-rebuild',
    class: 'U',
    dialects: ['sqlite'],
    title: 'copies every row of an existing table to rebuild it',
    why: 'The 12-step rebuild (sqlite.org "ALTER TABLE" §7) copies the whole table with INSERT ... SELECT and then drops the original. The migration holds the database write lock for the whole copy and for the index builds after it, so every writer of the running service waits (or fails with SQLITE_BUSY once its busy timeout runs out); a large table means a long stall. What the rebuild changes in the table is reported separately, on its DROP TABLE or RENAME.',
    instead:
      'Prefer the in-place forms when they express the change: ADD COLUMN, RENAME COLUMN, DROP COLUMN (3.35), and from SQLite 3.53 ADD/DROP CONSTRAINT and ALTER COLUMN SET/DROP NOT NULL. For a large table, run the rebuild in a maintenance window; for a small one, acknowledge it with `-- molt:allow table-rebuild`.',
    seeAlso: 'Atlas modifyUsingTemp (sqlitecheck)',
  },
];

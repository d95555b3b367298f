import { ALL, PG, type Rule } from './rule.js';

/** Rules about whole tables and views. */
export const TABLE_RULES: readonly Rule[] = [
  {
    code: 'drop-table',
    class: 'C',
    dialects: ALL,
    title: 'drops a table the previous release uses',
    why: 'Instances of the previous release still read and write this table until the rollout ends; their queries fail from the moment it is gone, and its data cannot come back without a restore.',
    instead:
      'Stop using the table in release N, then drop it in a `-- molt:phase contract` migration of release N+1, which runs after every instance is on N+1.',
    seeAlso: 'squawk ban-drop-table; Atlas DS102; GitLab post-deployment migrations',
  },
  {
    code: 'rename-table',
    class: 'C',
    dialects: ALL,
    title: 'renames a table the previous release uses',
    why: 'The old name disappears at once, so every query of the previous release that names it fails.',
    instead:
      'Create the new table (or a view under the new name), write to both, backfill, switch reads, and drop the old one in a contract migration. On PostgreSQL and MySQL a rename followed by `CREATE VIEW old_name AS SELECT * FROM new_name` in the same file keeps simple reads and writes working.',
    seeAlso: 'squawk renaming-table; strong_migrations rename_table; Atlas BC101',
  },
  {
    code: 'truncate-table',
    class: 'C',
    dialects: ['postgres', 'mysql'],
    title: 'removes every row of an existing table',
    why: 'The previous release sees its data vanish; TRUNCATE also takes an ACCESS EXCLUSIVE lock on PostgreSQL, and with CASCADE it empties every referencing table too.',
    instead: 'Delete the rows in a contract migration once nothing reads them, in batches if the table is large.',
    seeAlso: 'squawk ban-truncate-cascade',
  },
  {
    code: 'drop-view',
    class: 'C',
    dialects: ALL,
    title: 'drops or renames a view the previous release may query',
    why: 'Queries of the previous release that read the view fail once it is gone.',
    instead:
      'Drop views in a contract migration; to change a view, create it under a new name and drop the old one later.',
  },
  {
    code: 'replace-view',
    class: 'A',
    dialects: ALL,
    title: 'redefines an existing view',
    why: 'The new query may return other rows or columns than the previous release expects. PostgreSQL refuses to drop or retype existing columns of a view, but it cannot tell whether the meaning changed.',
    instead:
      'Create a view under a new name for the new release. If the change only appends columns, acknowledge it with `-- molt:allow replace-view`.',
  },
  {
    code: 'refresh-matview-blocking',
    class: 'U',
    dialects: PG,
    title: 'refreshes a materialized view without CONCURRENTLY',
    why: 'REFRESH MATERIALIZED VIEW holds an ACCESS EXCLUSIVE lock on the view for the whole query, so every reader waits.',
    instead: 'REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view).',
  },
  {
    code: 'table-rewrite',
    class: 'U',
    dialects: ALL,
    title: 'rewrites a whole table or database',
    why: 'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED, MySQL ENGINE=, FORCE and OPTIMIZE TABLE, and SQLite VACUUM copy every row while holding a lock that blocks the running service.',
    instead:
      'Run it during maintenance outside the upgrade, or use an online tool (pg_repack, gh-ost, pt-online-schema-change).',
    seeAlso: 'squawk prefer-repack; Atlas MY138',
  },
];

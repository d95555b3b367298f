import { PG, type Rule } from './rule.js';

/** Rules only the postgres analyzer reports (shared rules live in the topic files). */
export const POSTGRES_RULES: readonly Rule[] = [
  {
    code: 'add-unique-concurrently',
    class: 'C',
    dataDependent: true,
    dialects: PG,
    title: 'adds a unique index to an existing table with CONCURRENTLY',
    why: 'The build does not block writes, but once the index is valid, inserts and updates of the previous release that duplicate a value fail; existing duplicates make the build fail and leave an INVALID index behind.',
    instead:
      'Build it in a contract migration, after the new release stops writing duplicates (alone in its file, or with `-- molt:transaction off`); drop the INVALID index if the build fails. `ADD CONSTRAINT ... UNIQUE USING INDEX` afterwards only takes a short lock.',
    seeAlso: 'squawk disallowed-unique-constraint; Atlas MF101',
  },
  {
    code: 'set-not-null-checked',
    class: 'C',
    dialects: PG,
    title: 'makes an existing column NOT NULL that a validated CHECK (col IS NOT NULL) already covers',
    why: 'PostgreSQL 12+ trusts the validated check and skips the table scan, so the lock is short; but inserts of the previous release that leave the column out start failing.',
    instead: 'Keep it in a contract migration, then drop the helper check.',
    seeAlso: 'squawk adding-not-nullable-field',
  },
  {
    code: 'drop-object',
    class: 'C',
    dialects: PG,
    title: 'drops or renames another kind of database object',
    why: 'Operators, casts, aggregates, collations, text search configurations, rules, publications, foreign servers and similar objects may be used by queries, replication or deployment of the previous release.',
    instead: 'Drop it in a contract migration, after checking that nothing of the previous release uses it.',
  },
  {
    code: 'unclassified',
    class: 'A',
    dialects: PG,
    title: 'is a statement molt cannot classify',
    why: 'molt has no rule for what this kind of statement changes (ALTER SYSTEM, SECURITY LABEL, text search or operator changes, EXECUTE of a prepared statement, an unreadable DO block), so it cannot vouch for the previous release.',
    instead: 'Review it and acknowledge it with `-- molt:allow unclassified`, or tag the file contract.',
  },
];

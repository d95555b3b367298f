import type { LintDialect, StatementClass } from '../types.js';

/** One lint rule: a stable code, the class it gives a statement, and what to do instead. */
export interface Rule {
  /** Stable, kebab-case; what `-- molt:allow` and `--explain` take. */
  readonly code: string;
  readonly class: StatementClass;
  /** Also takes a blocking lock, rewrites or scans an existing table (the U side of C/U). */
  readonly blocking?: boolean;
  /** May fail on existing rows (the D flag). */
  readonly dataDependent?: boolean;
  /** A fixed severity, whatever the file's phase: `error` for mistakes, `warning` for advice. */
  readonly severity?: 'error' | 'warning';
  /** The dialects whose analyzer reports it. */
  readonly dialects: readonly LintDialect[];
  /** One line: what the statement does. */
  readonly title: string;
  /** One paragraph: why it matters to the previous release or to the running service. */
  readonly why: string;
  /** The safe alternative. */
  readonly instead: string;
  /** Where the anchors flag the same thing, for readers who know them. */
  readonly seeAlso?: string;
}

/** Every dialect. */
export const ALL: readonly LintDialect[] = ['postgres', 'mysql', 'sqlite'];
/** PostgreSQL and MySQL/MariaDB. */
export const SERVERS: readonly LintDialect[] = ['postgres', 'mysql'];
/** PostgreSQL only. */
export const PG: readonly LintDialect[] = ['postgres'];
/** MySQL/MariaDB only. */
export const MY: readonly LintDialect[] = ['mysql'];

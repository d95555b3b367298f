import type { Statement } from '../sql/index.js';

/** The SQL dialects molt lint reads. */
export type LintDialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * A statement's compatibility class (research/lint.md §2):
 * E expand, C contract, U unsafe expand (compatible but blocking), N neutral, A ambiguous.
 */
export type StatementClass = 'E' | 'C' | 'U' | 'N' | 'A';

/** What a finding does to the exit code: errors fail lint, warnings and notes do not. */
export type Severity = 'error' | 'warning' | 'note';

/** One rule matched by one statement, as a dialect analyzer reports it. */
export interface Hit {
  /** A code from the rule registry. */
  code: string;
  /** What this statement does, in the user's names: `drops column users.email`. */
  message: string;
  /** Where in the statement the clause starts (UTF-16 index into the statement text); the statement start when absent. */
  at?: number;
}

/** An analyzer's verdict on one statement. */
export interface StatementAnalysis {
  /** The class when no rule matched: E for additions, N for everything without effect on the contract. */
  base: 'E' | 'N';
  hits: Hit[];
}

/** One migration file handed to an analyzer, in version order. */
export interface LintFileInput {
  /** Path for messages. */
  source: string;
  /** The whole file text. */
  text: string;
  /** The file split by molt's splitter for this dialect (DELIMITER-aware on MySQL). */
  statements: readonly Statement[];
  /** True when statements run one by one outside a transaction (`molt:transaction off`, or CONCURRENTLY alone). */
  outsideTransaction: boolean;
  /**
   * Whether the previous release already shipped this file. Objects created by unreleased files are
   * new to the previous release, so rules about existing objects do not apply to them.
   */
  released: boolean;
}

/** Classifies statements of one dialect; it sees every file in order, so it may keep a model of the schema. */
export interface Analyzer {
  /** Returns one analysis per statement of the file, in order. */
  file(input: LintFileInput): StatementAnalysis[];
  /** Frees what the analyzer holds (scratch databases). */
  close?(): void;
}

/** Options an analyzer is created with. */
export interface AnalyzerOptions {
  /** MySQL or MariaDB flavour, from the URL scheme; parsers differ slightly. */
  flavour?: 'mysql' | 'mariadb';
}

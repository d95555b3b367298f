import type { Phase, SumCheck } from '../migrate/internal.js';
import type { LintDialect, Severity, StatementClass } from './types.js';

/** One finding: a rule that a statement (or a file) breaks, with where and how much it matters. */
export interface Finding {
  /** The migration file, as a path relative to the working directory. */
  file: string;
  /** 1-based line and column of the offending clause (or the statement start). */
  line: number;
  column: number;
  code: string;
  severity: Severity;
  /** The rule's class notation: `C`, `C/U+D`, `U`... */
  class: string;
  message: string;
  /** The statement, trimmed to its first lines. */
  statement?: string;
  /** Set when `-- molt:allow CODE` turned what would have failed into a note. */
  acknowledged?: boolean;
}

/** How one statement was classified. */
export interface StatementVerdict {
  line: number;
  class: StatementClass;
  /** The D flag: may fail on existing rows. */
  dataDependent: boolean;
  codes: string[];
}

/** How one migration file was classified. */
export interface FileVerdict {
  file: string;
  version: string;
  phase: Phase;
  /** The worst statement class (C > A > U > E > N); N for a file without statements. */
  class: StatementClass;
  dataDependent: boolean;
  statements: StatementVerdict[];
}

/** The result of `molt lint`. */
export interface LintReport {
  /** `clean`: no finding; `warnings`: warnings or notes only; `errors`: a finding of severity error (exit 10). */
  status: 'clean' | 'warnings' | 'errors';
  dialect: LintDialect;
  dir: string;
  /** The last released version, when `--released` gave one. */
  released: string | null;
  files: FileVerdict[];
  findings: Finding[];
  counts: { errors: number; warnings: number; notes: number };
  /** Files per class. */
  classes: Record<StatementClass, number>;
  sum: SumCheck;
  /** True when nothing has severity `error`. */
  ok: boolean;
}

/** Class order from worst to mildest, for a file's class and sorting. */
export const CLASS_ORDER: readonly StatementClass[] = ['C', 'A', 'U', 'E', 'N'];

/** The worse of two classes. */
export function worse(a: StatementClass, b: StatementClass): StatementClass {
  return CLASS_ORDER.indexOf(a) <= CLASS_ORDER.indexOf(b) ? a : b;
}

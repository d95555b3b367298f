export { lint, lintFiles, type LintOptions } from './lint.js';
export { RULES, ruleFor, classLabel, type Rule } from './rules/index.js';
export type { LintReport, Finding, FileVerdict, StatementVerdict } from './report.js';
export type {
  LintDialect,
  StatementClass,
  Severity,
  Analyzer,
  AnalyzerOptions,
  Hit,
  StatementAnalysis,
  LintFileInput,
} from './types.js';

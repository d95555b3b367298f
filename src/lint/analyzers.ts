import type { Analyzer, AnalyzerOptions, LintDialect } from './types.js';

type Factory = (options: AnalyzerOptions) => Promise<Analyzer>;

/** Loads one dialect's analyzer; each parser is imported only when its dialect is linted. */
export async function loadAnalyzer(dialect: LintDialect, options: AnalyzerOptions): Promise<Analyzer> {
  // Paths in variables keep TypeScript from requiring every analyzer at build time.
  const modules: Record<LintDialect, [string, string]> = {
    postgres: ['./postgres/index.js', 'createPostgresAnalyzer'],
    mysql: ['./mysql/index.js', 'createMysqlAnalyzer'],
    sqlite: ['./sqlite/index.js', 'createSqliteAnalyzer'],
  };
  const [path, name] = modules[dialect];
  const mod = (await import(path)) as Record<string, Factory>;
  return mod[name](options);
}

import type { Analyzer, AnalyzerOptions } from '../types.js';

/** Creates the SQLite analyzer; better-sqlite3 is loaded only when SQLite migrations are linted. */
export async function createSqliteAnalyzer(_options: AnalyzerOptions): Promise<Analyzer> {
  const [{ default: Database }, { SqliteAnalyzer }] = await Promise.all([
    import('better-sqlite3'),
    import('./analyzer.js'),
  ]);
  return new SqliteAnalyzer(Database);
}

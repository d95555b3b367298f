import type { Analyzer, AnalyzerOptions } from '../types.js';
import { PostgresAnalyzer } from './analyzer.js';

/**
 * Creates the PostgreSQL analyzer. libpg-query (PostgreSQL's own parser compiled to WASM) is
 * loaded here, once, so that linting other dialects never pays for it.
 */
export async function createPostgresAnalyzer(_options: AnalyzerOptions = {}): Promise<Analyzer> {
  const pg = await import('libpg-query');
  await pg.loadModule();
  return new PostgresAnalyzer({ parse: pg.parseSync, parsePlpgsql: pg.parsePlPgSQLSync });
}

import type { Analyzer, AnalyzerOptions } from '../types.js';
import type { ParserChoice, SqlParser } from './analyzer.js';

interface ParserModule {
  readonly default: { readonly Parser: new () => SqlParser };
}

/**
 * Creates the MySQL/MariaDB analyzer. node-sql-parser is loaded here, one dialect build only (the
 * all-dialect entry weighs 89 MB); MariaDB files that its MariaDB grammar rejects get a second try
 * with the MySQL grammar, which reads more DDL.
 */
export async function createMysqlAnalyzer(options: AnalyzerOptions): Promise<Analyzer> {
  const { MysqlAnalyzer } = await import('./analyzer.js');
  const parsers: ParserChoice[] = [];
  if (options.flavour === 'mariadb') {
    const mariadb = (await import('node-sql-parser/build/mariadb.js')) as unknown as ParserModule;
    parsers.push({ parser: new mariadb.default.Parser(), database: 'MariaDB' });
  }
  const mysql = (await import('node-sql-parser/build/mysql.js')) as unknown as ParserModule;
  parsers.push({ parser: new mysql.default.Parser(), database: 'MySQL' });
  return new MysqlAnalyzer(parsers);
}

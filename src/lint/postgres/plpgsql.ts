/** One SQL text a PL/pgSQL body runs. */
export interface PlpgsqlSql {
  text: string;
  /** Built at run time (EXECUTE, FOR ... IN EXECUTE, RETURN QUERY EXECUTE, OPEN ... FOR EXECUTE). */
  dynamic: boolean;
}

type Json = Record<string, unknown>;

const query = (expr: unknown): string | undefined =>
  ((expr as Json | undefined)?.PLpgSQL_expr as { query?: string } | undefined)?.query;

/**
 * The SQL a parsed PL/pgSQL function or DO block runs, in order: static statements
 * (`PLpgSQL_stmt_execsql`, PERFORM, the queries of FOR and RETURN QUERY) and dynamic ones.
 */
export function plpgsqlSql(tree: unknown): PlpgsqlSql[] {
  const out: PlpgsqlSql[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    for (const [key, value] of Object.entries(node as Json)) {
      const body = value as Json;
      switch (key) {
        case 'PLpgSQL_stmt_execsql':
          push(query(body.sqlstmt), false);
          break;
        case 'PLpgSQL_stmt_perform':
        case 'PLpgSQL_stmt_fors':
          push(query(body.expr ?? body.query), false);
          break;
        case 'PLpgSQL_stmt_return_query':
        case 'PLpgSQL_stmt_open':
          if (body.dynquery) push(query(body.dynquery), true);
          else push(query(body.query), false);
          break;
        case 'PLpgSQL_stmt_dynexecute':
        case 'PLpgSQL_stmt_dynfors':
          push(query(body.query), true);
          break;
      }
      visit(value);
    }
  };
  const push = (text: string | undefined, dynamic: boolean): void => {
    if (text !== undefined) out.push({ text, dynamic });
  };
  visit(tree);
  return out;
}

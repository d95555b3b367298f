import { FreshObjects } from '../fresh.js';
import type { Analyzer, Hit, LintFileInput, StatementAnalysis } from '../types.js';
import type { Action } from './actions.js';
import { RuleContext } from './context.js';
import { actionsFromAst } from './from-ast.js';
import { SchemaModel } from './schema-model.js';
import { serverText } from './source-text.js';
import { readStatement } from './statement-reader.js';
import { actionRules, baseClass } from './statement-rules.js';
import { tokenize, type Token } from './tokens.js';

/** The part of node-sql-parser's Parser the analyzer uses. */
export interface SqlParser {
  astify(sql: string, options?: { database?: string; parseOptions?: { includeLocations?: boolean } }): unknown;
  exprToSQL(expr: unknown, options?: { database?: string }): string;
}

/** A parser and the `database` option that selects its grammar. */
export interface ParserChoice {
  readonly parser: SqlParser;
  readonly database: string;
}

/**
 * Reads each statement with node-sql-parser (the flavour's grammar first), falls back to the
 * keyword classifier, and checks what it does against a schema model built from every earlier
 * statement of the history.
 */
export class MysqlAnalyzer implements Analyzer {
  readonly #ctx = new RuleContext(new SchemaModel(), new FreshObjects());

  constructor(private readonly parsers: readonly ParserChoice[]) {}

  file(input: LintFileInput): StatementAnalysis[] {
    this.#ctx.beginFile(input.released);
    return input.statements.map((statement) => this.#statement(statement.text));
  }

  #statement(raw: string): StatementAnalysis {
    const hits: Hit[] = [];
    this.#ctx.hits = hits;
    let base: 'E' | 'N' = 'N';
    try {
      const text = serverText(raw);
      const tokens = tokenize(text);
      const actions = this.#read(text, tokens);
      base = actions.some((a) => baseClass(a) === 'E') ? 'E' : 'N';
      for (const a of actions) actionRules(this.#ctx, a);
    } catch (error) {
      // Linting never stops on odd input: what could not be analysed is reviewed by hand.
      hits.push({ code: 'unparsed', message: `could not analyse the statement (${(error as Error).message})` });
    }
    return { base, hits };
  }

  #read(text: string, tokens: readonly Token[]): Action[] {
    if (tokens.length === 0) return [{ kind: 'neutral', what: 'empty' }];
    for (const { parser, database } of this.parsers) {
      let ast: unknown;
      try {
        ast = parser.astify(text, { database, parseOptions: { includeLocations: true } });
      } catch {
        continue;
      }
      const printer = (expr: unknown): string => {
        try {
          return parser.exprToSQL(expr, { database });
        } catch {
          return '';
        }
      };
      const actions = actionsFromAst(ast, tokens, text, printer);
      if (actions) return actions;
      // Parsed, but into something the AST reader does not map: the keyword classifier reads it.
      break;
    }
    return readStatement(tokens, text);
  }
}

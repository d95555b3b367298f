import { FreshObjects } from '../fresh.js';
import type { Analyzer, LintFileInput, StatementAnalysis } from '../types.js';
import type { Statement } from '../../sql/index.js';
import { classify } from './classify.js';
import { Ctx, messageOf, type Parser, type Session, type Verdict } from './context.js';
import { SqlText } from './positions.js';
import { settleFile } from './recipes.js';
import { SchemaModel } from './schema.js';

/**
 * The PostgreSQL analyzer: parses each statement on its own with PostgreSQL's parser and
 * classifies it against a model of the schema built from every earlier statement of the history.
 */
export class PostgresAnalyzer implements Analyzer {
  readonly #session: Session;

  constructor(parser: Parser) {
    this.#session = {
      parser,
      schema: new SchemaModel(),
      fresh: new FreshObjects(),
      file: newFile(false),
      classify,
    };
  }

  /** Classifies the statements of one migration file, in order. */
  file(input: LintFileInput): StatementAnalysis[] {
    const session = this.#session;
    session.fresh.beginFile(input.released);
    session.file = newFile(input.outsideTransaction);
    const out = input.statements.map((statement) => this.#statement(statement));
    settleFile(session);
    return out;
  }

  #statement(statement: Statement): StatementAnalysis {
    const verdict: Verdict = { hits: [], additive: false };
    const sql = new SqlText(statement.text);
    let stmts;
    try {
      stmts = this.#session.parser.parse(statement.text).stmts ?? [];
    } catch (error) {
      const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
      const hit = { code: 'syntax-error', message: messageOf(error) };
      return { base: 'N', hits: [cursor === undefined ? hit : { ...hit, at: sql.atCodePoint(cursor) }] };
    }
    for (const raw of stmts) {
      if (!raw.stmt) continue;
      const ctx = new Ctx(this.#session, sql, verdict);
      ctx.source =
        stmts.length === 1 ? statement.text : sliceBytes(statement.text, raw.stmt_location ?? 0, raw.stmt_len ?? 0);
      try {
        classify(ctx, raw.stmt);
      } catch (error) {
        // A gap in the classifier must not stop the lint; the statement is left for review.
        ctx.hit('unclassified', `could not be classified (${messageOf(error)})`);
      }
    }
    return { base: verdict.additive ? 'E' : 'N', hits: verdict.hits };
  }
}

function newFile(outsideTransaction: boolean): Session['file'] {
  return {
    outsideTransaction,
    notValid: new Set(),
    renames: [],
    views: new Set(),
    typeRenames: [],
    enumsChanged: new Set(),
    defaultDrops: [],
  };
}

// stmt_location and stmt_len count UTF-8 bytes; a length of 0 means "to the end".
function sliceBytes(text: string, start: number, length: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.subarray(start, length ? start + length : bytes.length).toString('utf8');
}

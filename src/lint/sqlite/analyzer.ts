import type { Analyzer, Hit, LintFileInput, StatementAnalysis } from '../types.js';
import { applyStatement, refusedName, type Step } from './apply.js';
import { classifyDml } from './classify-dml.js';
import { classifyEffect } from './classify-ddl.js';
import { isTempVariant, type Context } from './context.js';
import { keyOf } from './schema.js';
import { SchemaModel } from './model.js';
import type { DatabaseConstructor } from './scratch.js';
import { Scratch } from './scratch.js';

const NO_SUCH_TABLE = /^no such table: (?:main\.)?(.+)$/;

/**
 * The SQLite analyzer: replays every migration on a scratch in-memory database and classifies each
 * statement by what it did to the schema (research/lint.md §4.4), against the schema the previous
 * release knows (the state before the latest released file).
 */
export class SqliteAnalyzer implements Analyzer {
  readonly #scratch: Scratch;
  readonly #ctx: Context;
  readonly #version: { main: number; temp: number };
  /** Whether the previous file was released: the first unreleased file starts from the released schema. */
  #afterReleased = true;
  /** Tables whose CREATE SQLite refused, to explain the "no such table" errors that follow. */
  readonly #refused = new Set<string>();

  constructor(Database: DatabaseConstructor) {
    this.#scratch = new Scratch(Database);
    const model = new SchemaModel(this.#scratch);
    this.#ctx = { model, snapshot: model.snapshot(), pending: new Map(), lost: new Map() };
    this.#version = this.#scratch.versions();
  }

  file(input: LintFileInput): StatementAnalysis[] {
    const ctx = this.#ctx;
    const snapshot = input.released || this.#afterReleased;
    this.#afterReleased = input.released;
    if (snapshot) {
      // Everything before this file shipped with the previous release: each table now holds
      // its own rows, except a rebuild's copy still waiting to take the original's name.
      for (const t of ctx.model.tables()) {
        const other = t.holds !== null && keyOf(t.holds) !== keyOf(t.name) ? t.holds : undefined;
        const waiting =
          other !== undefined && (ctx.model.table(other, 'main') !== undefined || isTempVariant(t.name, other));
        if (!waiting) t.holds = t.name;
        t.addedColumns = undefined;
        t.columnCopies = undefined;
      }
      ctx.snapshot = ctx.model.snapshot();
    }
    // Run the whole file first: a rebuild is judged by where the table ends up, later in the file.
    const steps: Step[] = [];
    for (const statement of input.statements) {
      try {
        steps.push(applyStatement(statement, this.#scratch, ctx.model, this.#version));
      } catch (error) {
        steps.push({
          statement,
          text: { verb: 'other', tokens: [] },
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return steps.map((step) => {
      try {
        return this.#classify(step);
      } catch (error) {
        return {
          base: 'N',
          hits: [
            {
              code: 'sqlite-rejected',
              message: `molt could not classify the statement: ${error instanceof Error ? error.message : String(error)}`,
            },
          ],
        };
      }
    });
  }

  #classify(step: Step): StatementAnalysis {
    const hits: Hit[] = [];
    if (step.error !== undefined) {
      const missing = NO_SUCH_TABLE.exec(step.error)?.[1];
      const blame =
        missing && this.#refused.has(missing.toLowerCase())
          ? ' (SQLite also refused the statement that creates it)'
          : '';
      hits.push({ code: 'sqlite-rejected', message: `SQLite refused it: ${step.error}${blame}` });
      const refused = refusedName(step);
      if (refused) this.#refused.add(refused);
    }
    const ddl = classifyEffect(this.#ctx, step);
    const dml = classifyDml(this.#ctx, step);
    hits.push(...ddl.hits, ...dml.hits);
    return { base: ddl.added || dml.base === 'E' ? 'E' : 'N', hits };
  }

  close(): void {
    this.#scratch.close();
  }
}

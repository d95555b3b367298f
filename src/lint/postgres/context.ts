import type { Node, ParseResult } from 'libpg-query';
import type { FreshObjects } from '../fresh.js';
import type { Hit } from '../types.js';
import type { SqlText } from './positions.js';
import type { SchemaModel } from './schema.js';

/** The two libpg-query entry points the analyzer uses, loaded once. */
export interface Parser {
  parse(sql: string): ParseResult;
  parsePlpgsql(sql: string): unknown;
}

/** What the analyzer carries from statement to statement. */
export interface Session {
  readonly parser: Parser;
  readonly schema: SchemaModel;
  readonly fresh: FreshObjects;
  file: FileState;
  /** Classifies one parsed statement (the dispatcher, here so that nested SQL can reach it). */
  classify(ctx: Ctx, node: Node): void;
}

/** What the analyzer carries within one file. */
export interface FileState {
  /** Statements run one by one outside a transaction. */
  readonly outsideTransaction: boolean;
  /** Constraints added NOT VALID earlier in this file (`table.name`). */
  readonly notValid: Set<string>;
  /** Table renames in this file, dropped afterwards if a view under the old name follows. */
  readonly renames: { from: string; hits: Hit[]; hit: Hit }[];
  /** Views created in this file. */
  readonly views: Set<string>;
  /** Renames of released types in this file, with the enum labels the type had. */
  readonly typeRenames: { from: string; to: string; values?: string[]; hits: Hit[]; hit: Hit }[];
  /** Defaults dropped in this file, dropped from the findings if the same default is back by its end. */
  readonly defaultDrops: { table: string; column: string; before: string; hits: Hit[]; hit: Hit }[];
  /** Enums whose columns this file moved to a type with fewer or reordered values. */
  readonly enumsChanged: Set<string>;
}

/** The verdict being built for one statement; nested SQL (DO blocks, called routines) adds to it. */
export interface Verdict {
  hits: Hit[];
  additive: boolean;
}

/** Everything a classifier needs for one piece of SQL: the session, where the text sits, the verdict. */
export class Ctx {
  constructor(
    readonly session: Session,
    readonly sql: SqlText,
    readonly verdict: Verdict,
    /** How many routine calls deep this SQL runs (bounds recursion through bodies). */
    readonly depth = 0,
    /** Put before every message, e.g. `calls f(), which ` for SQL of a routine body. */
    readonly prefix = '',
  ) {}

  /** The source text of the statement being classified (one statement of `sql`). */
  source = '';

  get schema(): SchemaModel {
    return this.session.schema;
  }

  get fresh(): FreshObjects {
    return this.session.fresh;
  }

  /** Records a rule match; `at` is a statement index (see SqlText), by default where this SQL starts. */
  hit(code: string, message: string, at?: number): Hit {
    const text = this.prefix + message;
    // SQL read out of a DO block starts inside the statement: point there rather than at `DO`.
    if (at === undefined && !this.sql.detached && this.sql.origin > 0) at = this.sql.origin;
    const hit: Hit = at === undefined ? { code, message: text } : { code, message: text, at };
    this.verdict.hits.push(hit);
    return hit;
  }

  /** Marks the statement as an addition (base E rather than N). */
  adds(): void {
    this.verdict.additive = true;
  }

  /** Whether a table (or view, or sequence) is new to the previous release. */
  freshTable(table: string): boolean {
    return this.fresh.has('table', table);
  }

  /** Whether a column is new to the previous release: its table is, or it was added since. */
  freshColumn(table: string, column: string): boolean {
    return this.fresh.has('table', table) || this.fresh.has('column', `${table}.${column}`);
  }

  /** Whether every column of a non-empty list is new to the previous release. */
  allFresh(table: string, columns: readonly string[]): boolean {
    return columns.length > 0 && columns.every((c) => this.freshColumn(table, c));
  }
}

/** The message of a parser error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

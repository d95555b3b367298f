import { closing, isWord, nameOf, normalized, splitAtCommas, tokenize, type Token } from './tokens.js';

/** A CHECK constraint as written in a CREATE TABLE statement. */
export interface CheckClause {
  /** The constraint name, when it has one. */
  name?: string;
  /** The expression, normalized for comparison (case, quotes and spacing ignored). */
  expr: string;
  /** The expression as written, for messages. */
  text: string;
  /** Names the expression mentions (lower case): columns, functions and keywords alike. */
  mentions: Set<string>;
}

/** The body of a CREATE TABLE statement, cut into its column and constraint items. */
interface Body {
  tokens: Token[];
  open: number;
  close: number;
  items: Array<[number, number]>;
}

const TABLE_CONSTRAINT = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'];
const COLUMN_CONSTRAINT = [
  'CONSTRAINT',
  'PRIMARY',
  'NOT',
  'NULL',
  'UNIQUE',
  'CHECK',
  'DEFAULT',
  'COLLATE',
  'REFERENCES',
  'GENERATED',
  'AS',
];

function body(sql: string): Body | undefined {
  const tokens = tokenize(sql);
  // CREATE [TEMP] TABLE [IF NOT EXISTS] name ( ... ): the first parenthesis at depth 0 opens the body;
  // `AS SELECT` and `USING module(...)` have none before their keyword.
  let open = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (isWord(tokens[i], 'AS', 'USING')) return undefined;
    if (tokens[i].text === '(') {
      open = i;
      break;
    }
  }
  if (open === -1) return undefined;
  const close = closing(tokens, open);
  return { tokens, open, close, items: splitAtCommas(tokens, open + 1, close, 1) };
}

function isTableConstraint(tokens: readonly Token[], item: [number, number]): boolean {
  return isWord(tokens[item[0]], ...TABLE_CONSTRAINT);
}

/** The CHECK constraints of a CREATE TABLE statement, table and column ones alike. */
export function tableChecks(sql: string): CheckClause[] {
  const b = body(sql);
  if (!b) return [];
  const { tokens } = b;
  const out: CheckClause[] = [];
  for (let i = b.open + 1; i < b.close; i++) {
    const t = tokens[i];
    if (t.depth !== 1 || !isWord(t, 'CHECK') || tokens[i + 1]?.text !== '(') continue;
    const end = closing(tokens, i + 1);
    const name = isWord(tokens[i - 2], 'CONSTRAINT') ? nameOf(tokens[i - 1], sql) : undefined;
    const mentions = new Set<string>();
    for (let k = i + 2; k < end; k++)
      if (tokens[k].type === 'word' || tokens[k].type === 'ident') mentions.add(tokens[k].value.toLowerCase());
    out.push({
      name,
      expr: normalized(tokens, i + 2, end),
      text: sql.slice(tokens[i].start, tokens[end].end),
      mentions,
    });
    i = end;
  }
  return out;
}

function columnItem(b: Body, sql: string, column: string): [number, number] | undefined {
  const want = column.toLowerCase();
  return b.items.find(
    (item) => !isTableConstraint(b.tokens, item) && nameOf(b.tokens[item[0]], sql).toLowerCase() === want,
  );
}

/** The table text with `NOT NULL` appended to a column's definition (emulates `ALTER COLUMN ... SET NOT NULL`). */
export function withNotNull(sql: string, column: string): string | undefined {
  const b = body(sql);
  const item = b && columnItem(b, sql, column);
  if (!b || !item) return undefined;
  const last = b.tokens[item[1] - 1];
  return `${sql.slice(0, last.end)} NOT NULL${sql.slice(last.end)}`;
}

/** The table text without a column's `NOT NULL` (emulates `ALTER COLUMN ... DROP NOT NULL`). */
export function withoutNotNull(sql: string, column: string): string | undefined {
  const b = body(sql);
  const item = b && columnItem(b, sql, column);
  if (!b || !item) return undefined;
  const { tokens } = b;
  let text = sql;
  for (let i = item[1] - 1; i > item[0]; i--) {
    if (tokens[i].depth !== 1 || !isWord(tokens[i], 'NOT') || !isWord(tokens[i + 1], 'NULL')) continue;
    let from = i;
    if (isWord(tokens[i - 2], 'CONSTRAINT')) from = i - 2;
    let to = i + 2;
    if (isWord(tokens[to], 'ON') && isWord(tokens[to + 1], 'CONFLICT')) to += 3;
    text = text.slice(0, tokens[from].start) + text.slice(tokens[to - 1].end);
  }
  return text;
}

/** The table text with a table constraint appended (emulates `ADD [CONSTRAINT n] CHECK (...)`). */
export function withConstraint(sql: string, constraint: string): string | undefined {
  const b = body(sql);
  if (!b) return undefined;
  const close = b.tokens[b.close];
  const lastItem = b.tokens[b.close - 1];
  return `${sql.slice(0, lastItem.end)}, ${constraint}${sql.slice(lastItem.end, close.start)}${sql.slice(close.start)}`;
}

/** The table text without the named constraint (emulates `DROP CONSTRAINT n`); undefined when no constraint has that name. */
export function withoutConstraint(sql: string, name: string): string | undefined {
  const b = body(sql);
  if (!b) return undefined;
  const { tokens, items } = b;
  const want = name.toLowerCase();
  for (let k = 0; k < items.length; k++) {
    const [from, to] = items[k];
    for (let i = from; i < to; i++) {
      if (
        tokens[i].depth !== 1 ||
        !isWord(tokens[i], 'CONSTRAINT') ||
        nameOf(tokens[i + 1], sql).toLowerCase() !== want
      )
        continue;
      if (i === from) {
        // A table constraint goes with the comma that joins it to its neighbour.
        const start = k > 0 ? tokens[items[k - 1][1] - 1].end : tokens[from].start;
        const end = k > 0 ? tokens[to - 1].end : tokens[to]?.text === ',' ? tokens[to + 1].start : tokens[to - 1].end;
        return sql.slice(0, start) + sql.slice(end);
      }
      let end = i + 2;
      while (end < to && !(tokens[end].depth === 1 && isWord(tokens[end], ...COLUMN_CONSTRAINT))) end++;
      return sql.slice(0, tokens[i].start) + sql.slice(tokens[end - 1].end);
    }
  }
  return undefined;
}

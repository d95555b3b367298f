import { Cursor } from './cursor.js';
import type { DefaultSpec, TypeSpec } from './actions.js';
import { tokenize, type Token } from './tokens.js';

const SYNONYMS: Record<string, string> = {
  INTEGER: 'INT',
  INT1: 'TINYINT',
  INT2: 'SMALLINT',
  INT3: 'MEDIUMINT',
  MIDDLEINT: 'MEDIUMINT',
  INT4: 'INT',
  INT8: 'BIGINT',
  BOOL: 'TINYINT',
  BOOLEAN: 'TINYINT',
  DEC: 'DECIMAL',
  NUMERIC: 'DECIMAL',
  FIXED: 'DECIMAL',
  REAL: 'DOUBLE',
  FLOAT8: 'DOUBLE',
  FLOAT4: 'FLOAT',
  CHARACTER: 'CHAR',
  NCHAR: 'CHAR',
  NVARCHAR: 'VARCHAR',
  VARCHARACTER: 'VARCHAR',
};

/** Integer types: their display width `INT(11)` changes nothing a client sees. */
const INTEGERS = new Set(['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT']);
/** Fractional-second precision defaults to 0, so DATETIME and DATETIME(0) are one type. */
const TEMPORAL = new Set(['DATETIME', 'TIMESTAMP', 'TIME']);
const LENGTH_ONE = new Set(['CHAR', 'BINARY', 'BIT']);

/** The canonical name of a base type word, synonyms folded. */
function canonicalTypeName(word: string): string {
  const upper = word.toUpperCase();
  return SYNONYMS[upper] ?? upper;
}

/** Builds a TypeSpec with defaults made explicit, so that equal types compare equal. */
export function makeType(name: string, args: readonly number[], extra: Omit<TypeSpec, 'name' | 'args'> = {}): TypeSpec {
  const base = canonicalTypeName(name);
  let normal = [...args];
  if (INTEGERS.has(base) || base === 'YEAR') normal = [];
  else if (base === 'DECIMAL') normal = [normal[0] ?? 10, normal[1] ?? 0];
  else if (TEMPORAL.has(base)) normal = [normal[0] ?? 0];
  else if (LENGTH_ONE.has(base) && normal.length === 0) normal = [1];
  return { name: base, args: normal, ...extra };
}

/** How a column's type changes between two definitions. */
export type TypeChange = 'same' | 'widening' | 'changed';

/**
 * Compares two types, values of ENUM and SET aside (they have rules of their own). Only VARCHAR
 * growth that keeps the length prefix at one byte, or that already had two, is in place (lint.md
 * K14); the threshold is 255 bytes, so with utf8mb4 (4 bytes a character, the worst case) 63
 * characters.
 */
export function compareTypes(before: TypeSpec, after: TypeSpec): TypeChange {
  if (before.name !== after.name) return 'changed';
  if (!!before.unsigned !== !!after.unsigned || !!before.zerofill !== !!after.zerofill) return 'changed';
  if (before.name === 'ENUM' || before.name === 'SET') return 'same';
  const [n = 0] = before.args;
  const [m = 0] = after.args;
  if (before.name === 'VARCHAR' || before.name === 'VARBINARY') {
    if (m === n) return 'same';
    const limit = before.name === 'VARCHAR' ? 63 : 255;
    return m > n && (m <= limit || n > 255) ? 'widening' : 'changed';
  }
  if (before.args.length !== after.args.length || before.args.some((a, i) => a !== after.args[i])) return 'changed';
  return 'same';
}

/** A short SQL spelling of a type, for messages. */
export function typeText(t: TypeSpec): string {
  const args = t.values ? `(${t.values.map((v) => `'${v}'`).join(',')})` : t.args.length ? `(${t.args.join(',')})` : '';
  return `${t.name}${args}${t.unsigned ? ' UNSIGNED' : ''}`;
}

const NOW_WORDS = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);
const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

function literal(text: string): DefaultSpec {
  if (NUMERIC.test(text)) return { kind: 'literal', canonical: String(Number(text)) };
  return { kind: 'literal', canonical: `'${text}'` };
}

/** Token texts joined in one normal form: words upper-cased, names lower-cased, strings quoted. */
function normalTokens(tokens: readonly Token[]): string {
  let out = '';
  let wordy = false;
  for (const t of tokens) {
    const text = t.kind === 'ident' ? t.value.toLowerCase() : t.kind === 'string' ? `'${t.value}'` : t.value;
    const isWordy = t.kind !== 'punct';
    // A space only where two words would otherwise run together.
    out += (wordy && isWordy ? ' ' : '') + text;
    wordy = isWordy;
  }
  return out;
}

/**
 * Reads the value after DEFAULT (or ON UPDATE) at the cursor and consumes it. Constants,
 * CURRENT_TIMESTAMP and its synonyms, and expressions (`DEFAULT (expr)`, or MariaDB's bare
 * function calls) each get a canonical text.
 */
export function readDefault(c: Cursor): DefaultSpec | undefined {
  const t = c.peek();
  if (!t) return undefined;
  if (t.kind === 'punct' && t.value === '(') {
    const g = c.group();
    const inner = g ? c.tokens.slice(g.from, g.to) : [];
    // DEFAULT (3) is still an expression default to the server: it copies the table.
    return { kind: 'expr', canonical: `(${normalTokens(inner)})` };
  }
  if (t.kind === 'punct' && (t.value === '-' || t.value === '+') && c.peek(1)?.kind === 'number') {
    c.pos += 2;
    return literal(t.value + (c.tokens[c.pos - 1] as Token).value);
  }
  if (t.kind === 'number') {
    c.pos++;
    return literal(t.value);
  }
  if (t.kind === 'string') {
    c.pos++;
    return literal(t.value);
  }
  if (t.kind === 'word') {
    const next = c.peek(1);
    // Introducers and typed literals: _utf8mb4'x', N'x', X'0A', b'1', DATE '2020-01-01'.
    if (
      next?.kind === 'string' &&
      (t.value.startsWith('_') || ['N', 'X', 'B', 'DATE', 'TIME', 'TIMESTAMP'].includes(t.value))
    ) {
      c.pos += 2;
      return t.value === 'X' || t.value === 'B'
        ? { kind: 'literal', canonical: `${t.value}'${next.value.toLowerCase()}'` }
        : literal(next.value);
    }
    c.pos++;
    if (t.value === 'NULL') return { kind: 'null', canonical: 'NULL' };
    if (t.value === 'TRUE') return literal('1');
    if (t.value === 'FALSE') return literal('0');
    if (NOW_WORDS.has(t.value)) {
      let precision = 0;
      const g = c.group();
      if (g && g.to > g.from) precision = Number(c.tokens[g.from].value) || 0;
      return { kind: 'now', canonical: precision ? `CURRENT_TIMESTAMP(${precision})` : 'CURRENT_TIMESTAMP' };
    }
    if (c.at('(')) {
      const g = c.group();
      const args = g ? c.tokens.slice(g.from, g.to) : [];
      return { kind: 'expr', canonical: `${t.value}(${normalTokens(args)})` };
    }
    return literal(t.value);
  }
  c.pos++;
  return { kind: 'expr', canonical: t.value };
}

/** Reads a default from SQL text (the AST reader prints AST defaults back to SQL first). */
export function defaultFromSql(sql: string): DefaultSpec | undefined {
  const tokens = tokenize(sql);
  return readDefault(new Cursor(tokens, sql));
}

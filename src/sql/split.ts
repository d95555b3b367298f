import type { DialectSql } from '../drivers/types.js';

/** One statement of a migration file, with where it stands in the file. */
export interface Statement {
  /** The statement text without its terminating semicolon. */
  readonly text: string;
  /** 1-based line of the statement's first token. */
  readonly line: number;
  /** The first bare words, upper-cased, for classification (`CREATE INDEX CONCURRENTLY ...`). */
  readonly head: string;
}

const HEAD_WORDS = 16;
const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_$]/;

/**
 * Splits SQL text into statements the way the database's own client would: semicolons inside
 * strings, quoted identifiers, dollar quotes, comments, parentheses and BEGIN ... END bodies
 * (triggers, `BEGIN ATOMIC` functions) do not end a statement.
 */
export function splitStatements(source: string, dialect: Pick<DialectSql, 'lexer' | 'blockBodies'>): Statement[] {
  const { lexer, blockBodies } = dialect;
  const out: Statement[] = [];
  let line = 1;
  let codeLine = 0; // line of the first token; 0 while none seen
  let codeStart = 0; // offset of the first token
  let words: string[] = [];
  let parens = 0;
  let blocks = 0;
  let pendingEnd = false;
  let blockMode: boolean | undefined;
  let i = 0;
  const n = source.length;

  const finish = (end: number): void => {
    if (pendingEnd && blocks > 0) blocks--;
    if (codeLine > 0) out.push({ text: source.slice(codeStart, end).trim(), line: codeLine, head: words.join(' ') });
    codeLine = 0;
    words = [];
    parens = 0;
    blocks = 0;
    pendingEnd = false;
    blockMode = undefined;
  };
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (source.charCodeAt(k) === 10) line++;
  };
  const mark = (): void => {
    if (codeLine === 0) {
      codeLine = line;
      codeStart = i;
    }
  };

  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '\n') { line++; i++; continue; }
    if (c === '-' && next === '-') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let k = i + 2;
      while (k < n && depth > 0) {
        if (source[k] === '*' && source[k + 1] === '/') { depth--; k += 2; continue; }
        if (lexer.nestedComments && source[k] === '/' && source[k + 1] === '*') { depth++; k += 2; continue; }
        k++;
      }
      countLines(i, k);
      i = k;
      continue;
    }
    if (c === "'" || c === '"' || (c === '`' && lexer.backtickIdentifiers)) {
      mark();
      const prev = source[i - 1];
      const escapes = c === "'" && (lexer.backslashEscapes || ((prev === 'E' || prev === 'e') && !WORD_CHAR.test(source[i - 2] ?? ' ')));
      let k = i + 1;
      while (k < n) {
        const ch = source[k];
        if (escapes && ch === '\\') { k += 2; continue; }
        if (ch === c) {
          if (source[k + 1] === c) { k += 2; continue; }
          break;
        }
        k++;
      }
      countLines(i, k);
      i = k + 1;
      continue;
    }
    if (c === '$' && lexer.dollarQuotes && !WORD_CHAR.test(source[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i, i + 64));
      if (tag) {
        mark();
        const close = source.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        countLines(i, end);
        i = end;
        continue;
      }
    }
    if (WORD_START.test(c) && !WORD_CHAR.test(source[i - 1] ?? ' ')) {
      mark();
      let k = i + 1;
      while (k < n && WORD_CHAR.test(source[k])) k++;
      const word = source.slice(i, k).toUpperCase();
      if (words.length < HEAD_WORDS) words.push(word);
      if (pendingEnd) {
        pendingEnd = false;
        // `END IF`, `END LOOP` close a control structure that opened without BEGIN.
        if (!['IF', 'LOOP', 'WHILE', 'REPEAT'].includes(word) && blocks > 0) blocks--;
      }
      if (word === 'BEGIN' || word === 'CASE' || word === 'END') {
        blockMode ??= blockBodies.some((re) => re.test(words.join(' ')));
        if (blockMode) {
          if (word === 'END') pendingEnd = true;
          else blocks++;
        }
      }
      i = k;
      continue;
    }
    if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
    else if (c === ';') {
      if (pendingEnd) { pendingEnd = false; if (blocks > 0) blocks--; }
      if (parens === 0 && blocks === 0) { finish(i); i++; continue; }
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') mark();
    i++;
  }
  finish(n);
  return out;
}

import type { DialectSql } from '../drivers/types.js';
import {
  blockCommentClose,
  delimiterArgument,
  dollarTagEnd,
  isBlank,
  isWordChar,
  isWordStart,
  lineEnd,
  quotedClose,
  startsLine,
} from './lexer.js';

/** One statement of a migration file, with where it stands in the file. */
export interface Statement {
  /** The statement text without its terminating semicolon (or `DELIMITER` string). */
  readonly text: string;
  /** 1-based line of the statement's first token. */
  readonly line: number;
  /** The first bare words, upper-cased, for classification (`CREATE INDEX CONCURRENTLY ...`). */
  readonly head: string;
  /** Offset (UTF-16 index) of the first token in the source. */
  readonly offset: number;
  /** Offset just past the statement's last character, before its terminator. */
  readonly end: number;
}

const HEAD_WORDS = 16;
// Block keywords are at most six letters long; longer words past the head need no upper-casing.
const LONGEST_BLOCK_WORD = 6;
// `END IF`, `END LOOP` close a control structure that opened without BEGIN, so they close no block.
const UNCOUNTED_ENDS = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT']);

const LF = 10;
const HASH = 35;
const DOLLAR = 36;
const SQUOTE = 39;
const DQUOTE = 34;
const LPAREN = 40;
const RPAREN = 41;
const STAR = 42;
const DASH = 45;
const SLASH = 47;
const SEMICOLON = 59;
const BANG = 33;
const UPPER_M = 77;
const UPPER_E = 69;
const LOWER_E = 101;
const BACKTICK = 96;

/** A comment, string, quoted identifier or dollar quote that the text opens and never closes. */
export interface Unclosed {
  /** What is left open, for messages: `block comment`, `string`, `quoted identifier`, `dollar quote`. */
  readonly what: string;
  /** 1-based line where it opens. */
  readonly line: number;
}

/** Statements of a script, and what it leaves open at its end (which would swallow anything sent after it). */
export interface SplitScript {
  readonly statements: Statement[];
  readonly unclosed: Unclosed | null;
}

/** Splits SQL text into statements; see `splitScript`, which also says what the text leaves open. */
export function splitStatements(source: string, dialect: Pick<DialectSql, 'lexer' | 'blockBodies'>): Statement[] {
  return splitScript(source, dialect).statements;
}

/**
 * Splits SQL text into statements the way the database's own client would: semicolons inside
 * strings, quoted identifiers, dollar quotes, comments, parentheses and BEGIN ... END bodies
 * (triggers, procedures, `BEGIN ATOMIC` functions) do not end a statement, and where the dialect
 * has the mysql client's `DELIMITER` command, statements end at the delimiter it sets.
 */
export function splitScript(source: string, dialect: Pick<DialectSql, 'lexer' | 'blockBodies'>): SplitScript {
  const { lexer, blockBodies } = dialect;
  const out: Statement[] = [];
  const n = source.length;
  let line = 1;
  let i = 0;
  // `;` until a DELIMITER line says otherwise; any other delimiter ends statements on its own.
  let delimiter = ';';
  let delimiterHead = SEMICOLON;
  // A word may begin right after a delimiter even when the delimiter ends in `$` (`END$$CALL p()$$`).
  let delimiterEnd = -1;
  // Inside `/*! ... */`, whose text the server runs, so the closing `*/` is code too.
  let inExecutable = false;

  // The statement being read.
  let codeLine = 0; // line of the first token; 0 while none seen
  let codeStart = 0; // offset of the first token
  let words: string[] = [];
  let parens = 0;
  let blocks = 0;
  let pendingEnd = false;
  let blockBody: boolean | undefined;
  let unclosed: Unclosed | null = null;
  // An unclosed construct runs to the end of the text, as the server reads it; it is noted, not guessed at.
  const runTo = (close: number, what: string): void => {
    if (close === -1) {
      unclosed ??= { what, line };
      skipTo(n);
    } else skipTo(close);
  };

  const finish = (end: number): void => {
    if (codeLine > 0) {
      const raw = source.slice(codeStart, end);
      const text = raw.trim();
      out.push({
        text,
        line: codeLine,
        head: words.join(' '),
        offset: codeStart,
        end: codeStart + raw.trimEnd().length,
      });
    }
    codeLine = 0;
    words = [];
    parens = 0;
    blocks = 0;
    pendingEnd = false;
    blockBody = undefined;
  };
  const mark = (): void => {
    if (codeLine === 0) {
      codeLine = line;
      codeStart = i;
    }
  };
  const skipTo = (end: number): void => {
    for (let k = i; k < end; k++) if (source.charCodeAt(k) === LF) line++;
    i = end;
  };
  // Decided at the first `;` inside a block, when the words that open a body (`BEGIN NOT ATOMIC`
  // included) have all been read; an open BEGIN elsewhere is a transaction (`BEGIN;`).
  const inBlockBody = (): boolean => (blockBody ??= blockBodies.some((re) => re.test(words.join(' '))));
  // A DELIMITER-set terminator ends a statement wherever it appears in code, even inside a word (`END$$`).
  const endsAt = (at: number): boolean =>
    source.charCodeAt(at) === delimiterHead && delimiter !== ';' && source.startsWith(delimiter, at);

  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === LF) {
      line++;
      i++;
      continue;
    }
    // The client looks for the delimiter before anything else outside strings and comments.
    if (endsAt(i)) {
      finish(i);
      i += delimiter.length;
      delimiterEnd = i;
      continue;
    }
    const next = source.charCodeAt(i + 1);
    if ((c === DASH && next === DASH) || (c === HASH && lexer.hashComments)) {
      i = lineEnd(source, i);
      continue;
    }
    if (c === SLASH && next === STAR) {
      const third = source.charCodeAt(i + 2);
      if (lexer.executableComments && (third === BANG || (third === UPPER_M && source.charCodeAt(i + 3) === BANG))) {
        mark();
        inExecutable = true;
        i += third === BANG ? 3 : 4;
        continue;
      }
      runTo(blockCommentClose(source, i, lexer.nestedComments), 'block comment');
      continue;
    }
    if (inExecutable && c === STAR && next === SLASH) {
      mark();
      inExecutable = false;
      i += 2;
      continue;
    }
    if (c === SQUOTE || c === DQUOTE || (c === BACKTICK && lexer.backtickIdentifiers)) {
      mark();
      const prev = source.charCodeAt(i - 1);
      const eString = (prev === UPPER_E || prev === LOWER_E) && !isWordChar(source.charCodeAt(i - 2));
      const escapes = c !== BACKTICK && (lexer.backslashEscapes || (c === SQUOTE && eString));
      runTo(quotedClose(source, i, escapes), c === SQUOTE ? 'string' : 'quoted identifier');
      continue;
    }
    if (c === DOLLAR && lexer.dollarQuotes && !isWordChar(source.charCodeAt(i - 1))) {
      const tagEnd = dollarTagEnd(source, i);
      if (tagEnd !== -1) {
        mark();
        const close = source.indexOf(source.slice(i, tagEnd), tagEnd);
        runTo(close === -1 ? -1 : close + tagEnd - i, 'dollar quote');
        continue;
      }
    }
    if (isWordStart(c) && (i === delimiterEnd || !isWordChar(source.charCodeAt(i - 1)))) {
      let k = i + 1;
      while (k < n && isWordChar(source.charCodeAt(k)) && !endsAt(k)) k++;
      // Like the client, DELIMITER is a command only as the first thing on a line between statements.
      if (lexer.delimiterCommand && codeLine === 0 && k - i === 9 && startsLine(source, i)) {
        const command = source.slice(i, k).toUpperCase() === 'DELIMITER' ? delimiterArgument(source, k) : undefined;
        if (command) {
          delimiter = command.delimiter;
          delimiterHead = delimiter.charCodeAt(0);
          i = command.lineEnd;
          continue;
        }
      }
      mark();
      const word = words.length < HEAD_WORDS || k - i <= LONGEST_BLOCK_WORD ? source.slice(i, k).toUpperCase() : '';
      if (words.length < HEAD_WORDS) words.push(word);
      // The word after END belongs to it (`END CASE`, `END label`), so it opens nothing.
      const closing = pendingEnd;
      if (closing) {
        pendingEnd = false;
        if (blocks > 0 && !UNCOUNTED_ENDS.has(word)) blocks--;
      }
      if (word === 'END') pendingEnd = true;
      else if (!closing && (word === 'BEGIN' || word === 'CASE')) blocks++;
      i = k;
      continue;
    }
    if (c === LPAREN) parens++;
    else if (c === RPAREN) parens = Math.max(0, parens - 1);
    else if (c === SEMICOLON && delimiter === ';') {
      if (pendingEnd) {
        pendingEnd = false;
        if (blocks > 0) blocks--;
      }
      if (parens === 0 && (blocks === 0 || !inBlockBody())) {
        finish(i);
        i++;
        continue;
      }
    }
    if (!isBlank(c)) mark();
    i++;
  }
  if (inExecutable) unclosed ??= { what: 'executable comment', line };
  finish(n);
  return { statements: out, unclosed };
}

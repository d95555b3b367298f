// Scanners over char codes: the splitter runs over every migration on every boot, so none of
// these allocate per character or slice the rest of the source.

const LF = 10;
const SPACE = 32;
const TAB = 9;
const STAR = 42;
const SLASH = 47;
const BACKSLASH = 92;
const DOLLAR = 36;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKTICK = 96;
const BOM = 0xfeff;

const WORD_START = new Uint8Array(128);
const WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  WORD_START[c] = letter ? 1 : 0;
  WORD_CHAR[c] = letter || (c >= 48 && c <= 57) || c === DOLLAR ? 1 : 0;
}

/** True for a character that can begin a bare word (ASCII letter or underscore). */
export const isWordStart = (code: number): boolean => code < 128 && WORD_START[code] === 1;

/** True for a character that can continue a bare word; NaN (before the start of the text) is not one. */
export const isWordChar = (code: number): boolean => code < 128 && WORD_CHAR[code] === 1;

/** True for whitespace that never starts a statement, including a byte-order mark. */
export const isBlank = (code: number): boolean => code <= SPACE || code === BOM;

/** The offset of the newline ending the line that holds `from`, or the text's length. */
export function lineEnd(source: string, from: number): number {
  const eol = source.indexOf('\n', from);
  return eol === -1 ? source.length : eol;
}

/** The offset just past the block comment opening at `from`; an unclosed comment runs to the end. */
export function blockCommentEnd(source: string, from: number, nested: boolean): number {
  const close = blockCommentClose(source, from, nested);
  return close === -1 ? source.length : close;
}

/** The offset just past the block comment opening at `from`, or -1 when the text ends inside it. */
export function blockCommentClose(source: string, from: number, nested: boolean): number {
  const n = source.length;
  let depth = 1;
  let k = from + 2;
  while (k < n) {
    const c = source.charCodeAt(k);
    if (c === STAR && source.charCodeAt(k + 1) === SLASH) {
      k += 2;
      if (--depth === 0) return k;
      continue;
    }
    if (nested && c === SLASH && source.charCodeAt(k + 1) === STAR) {
      depth++;
      k += 2;
      continue;
    }
    k++;
  }
  return -1;
}

/**
 * The offset just past the quoted string or identifier opening at `from`. A doubled quote stands
 * for itself; with `escapes`, a backslash takes the next character literally. An unclosed quote
 * runs to the end, as the server would read it.
 */
export function quotedEnd(source: string, from: number, escapes: boolean): number {
  const close = quotedClose(source, from, escapes);
  return close === -1 ? source.length : close;
}

/** The offset just past the quoted string or identifier opening at `from`, or -1 when the text ends inside it. */
export function quotedClose(source: string, from: number, escapes: boolean): number {
  const quote = source.charCodeAt(from);
  const n = source.length;
  let k = from + 1;
  while (k < n) {
    const c = source.charCodeAt(k);
    if (c === BACKSLASH && escapes) {
      k += 2;
      continue;
    }
    if (c === quote) {
      if (source.charCodeAt(k + 1) !== quote) return k + 1;
      k += 2;
      continue;
    }
    k++;
  }
  return -1;
}

/** The offset just past a `$tag$` opening at `from`, or -1 when none opens there. */
export function dollarTagEnd(source: string, from: number): number {
  let k = from + 1;
  if (isWordStart(source.charCodeAt(k))) {
    k++;
    // `$` ends the tag, so it cannot be part of it even though identifiers may hold one.
    while (k < source.length && isWordChar(source.charCodeAt(k)) && source.charCodeAt(k) !== DOLLAR) k++;
  }
  return source.charCodeAt(k) === DOLLAR ? k + 1 : -1;
}

/** True when only spaces and tabs stand between the start of the line and `at`. */
export function startsLine(source: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && (source.charCodeAt(k) === SPACE || source.charCodeAt(k) === TAB)) k--;
  return k < 0 || source.charCodeAt(k) === LF;
}

/**
 * Reads the argument of a `DELIMITER x` client command whose word ends at `wordEnd`: the next
 * token on the line, or a quoted one, as the mysql client's get_arg does. The rest of the line
 * is ignored, as the client ignores it. Undefined when the line holds no argument, so the word
 * is not a command.
 */
export function delimiterArgument(source: string, wordEnd: number): { delimiter: string; lineEnd: number } | undefined {
  const first = source.charCodeAt(wordEnd);
  if (first !== SPACE && first !== TAB) return undefined;
  const eol = lineEnd(source, wordEnd);
  let k = wordEnd;
  while (k < eol && (source.charCodeAt(k) === SPACE || source.charCodeAt(k) === TAB)) k++;
  const q = source.charCodeAt(k);
  let delimiter: string;
  if (q === SQUOTE || q === DQUOTE || q === BACKTICK) {
    const close = source.indexOf(source[k], k + 1);
    if (close === -1 || close > eol) return undefined;
    delimiter = source.slice(k + 1, close);
  } else {
    const start = k;
    // A tab ends the argument too: the client would keep it in the delimiter, which nobody means.
    while (k < eol && !isBlank(source.charCodeAt(k))) k++;
    delimiter = source.slice(start, k);
  }
  return delimiter === '' ? undefined : { delimiter, lineEnd: eol };
}

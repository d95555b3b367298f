import { blockCommentEnd, lineEnd, quotedEnd } from '../../sql/lexer.js';

const HASH = 35;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKTICK = 96;
const STAR = 42;
const DASH = 45;
const SLASH = 47;
const BANG = 33;
const UPPER_M = 77;

const blank = (text: string): string => text.replace(/[^\n]/g, ' ');

/**
 * The statement as the server reads it, at the same offsets: comments become spaces, and the
 * markers of `/*! ... *\/` and `/*M! ... *\/` executable comments are blanked so their contents
 * (which the server runs) stay. Parsers drop executable comments as comments otherwise.
 */
export function serverText(text: string): string {
  if (!/[#/]|--/.test(text)) return text;
  let out = '';
  let copied = 0;
  let inExecutable = false;
  let i = 0;
  const n = text.length;
  const cut = (from: number, to: number): void => {
    out += text.slice(copied, from) + blank(text.slice(from, to));
    copied = to;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === SQUOTE || c === DQUOTE || c === BACKTICK) {
      i = quotedEnd(text, i, c !== BACKTICK);
      continue;
    }
    if ((c === DASH && next === DASH) || c === HASH) {
      const end = lineEnd(text, i);
      cut(i, end);
      i = end;
      continue;
    }
    if (c === SLASH && next === STAR) {
      const third = text.charCodeAt(i + 2);
      if (third === BANG || (third === UPPER_M && text.charCodeAt(i + 3) === BANG)) {
        // The version number after the bang belongs to the marker, not to the statement.
        let k = i + (third === BANG ? 3 : 4);
        while (k < n && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k++;
        cut(i, k);
        inExecutable = true;
        i = k;
        continue;
      }
      const end = blockCommentEnd(text, i, false);
      cut(i, end);
      i = end;
      continue;
    }
    if (inExecutable && c === STAR && next === SLASH) {
      cut(i, i + 2);
      inExecutable = false;
      i += 2;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

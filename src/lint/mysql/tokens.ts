import { quotedEnd } from '../../sql/lexer.js';

/** One lexical token of a MySQL statement whose comments are already blanked (see serverText). */
export interface Token {
  readonly kind: 'word' | 'ident' | 'string' | 'number' | 'var' | 'punct';
  /** Upper-cased for words, unquoted for identifiers and strings, as written otherwise. */
  readonly value: string;
  /** UTF-16 offsets in the statement text. */
  readonly start: number;
  readonly end: number;
}

const isWordCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function unquote(raw: string): string {
  const q = raw[0];
  const body = raw.slice(1, raw.endsWith(q) && raw.length > 1 ? -1 : undefined);
  if (q === '`') return body.replaceAll('``', '`');
  return body
    .replaceAll(q + q, q)
    .replace(/\\(.)/gs, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[ch] ?? ch);
}

/** Splits a statement into tokens; strings and backquoted names keep the offsets of their quotes. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 39 || c === 34 || c === 96) {
      const end = quotedEnd(text, i, c !== 96);
      out.push({ kind: c === 96 ? 'ident' : 'string', value: unquote(text.slice(i, end)), start: i, end });
      i = end;
      continue;
    }
    if (c === 64) {
      // @user_var, @@system_var, and the host part of 'user'@'host' (a lone @).
      let k = i + 1;
      if (text.charCodeAt(k) === 64) k++;
      const nameStart = k;
      while (k < n && (isWordCode(text.charCodeAt(k)) || text.charCodeAt(k) === 46)) k++;
      if (k === nameStart) {
        out.push({ kind: 'punct', value: '@', start: i, end: i + 1 });
        i++;
        continue;
      }
      out.push({ kind: 'var', value: text.slice(i, k).toUpperCase(), start: i, end: k });
      i = k;
      continue;
    }
    if (isWordCode(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)) && !isWordCode(text.charCodeAt(i - 1)))) {
      let k = i + 1;
      while (k < n && isWordCode(text.charCodeAt(k))) k++;
      let word = text.slice(i, k);
      if (/^\.?\d+$/.test(word) || /^\d+e\d*$/i.test(word)) {
        // A number may go on with a decimal part or an exponent: 1.5, 2.5e-3.
        if (text.charCodeAt(k) === 46 && isDigit(text.charCodeAt(k + 1))) {
          k++;
          while (k < n && isWordCode(text.charCodeAt(k))) k++;
        }
        if (/[eE]$/.test(text.slice(i, k)) && (text[k] === '-' || text[k] === '+')) {
          k++;
          while (k < n && isDigit(text.charCodeAt(k))) k++;
        }
        word = text.slice(i, k);
        out.push({ kind: 'number', value: word, start: i, end: k });
      } else if (/^0x[0-9a-f]+$/i.test(word) || /^\d+(\.\d*)?$/.test(word)) {
        out.push({ kind: 'number', value: word, start: i, end: k });
      } else {
        out.push({ kind: 'word', value: word.toUpperCase(), start: i, end: k });
      }
      i = k;
      continue;
    }
    out.push({ kind: 'punct', value: text[i], start: i, end: i + 1 });
    i++;
  }
  return out;
}

/** True for a token that can name an object: a bare word, a backquoted name, or a quoted string. */
export const isName = (t: Token | undefined): t is Token =>
  t !== undefined && (t.kind === 'word' || t.kind === 'ident' || t.kind === 'string');

/** The name as the user wrote it, without quotes (bare words keep their case). */
export function nameText(t: Token, text: string): string {
  return t.kind === 'word' ? text.slice(t.start, t.end) : t.value;
}

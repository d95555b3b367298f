/** One SQLite token; comments and whitespace are dropped. */
export interface Token {
  /** `word` is a bare keyword or name, `ident` a quoted name, `string` a '...' literal. */
  readonly type: 'word' | 'ident' | 'string' | 'number' | 'blob' | 'var' | 'op';
  /** The source text of the token. */
  readonly text: string;
  /** Bare words upper-cased, quoted names unquoted (case kept), strings unquoted. */
  readonly value: string;
  /** Whether the token was a double-quoted name (SQLite may read it as a string). */
  readonly doubleQuoted?: boolean;
  readonly start: number;
  readonly end: number;
  /** Parenthesis depth the token stands at (a `(` counts at the outer depth). */
  readonly depth: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordChar = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 36;

function quotedEnd(text: string, from: number, close: string): number {
  let i = from + 1;
  for (;;) {
    const at = text.indexOf(close, i);
    if (at === -1) return text.length;
    // A doubled closing quote is an escaped quote, except for `]`, which has no escape.
    if (close !== ']' && text[at + 1] === close) i = at + 2;
    else return at + 1;
  }
}

/** Splits SQLite text into tokens the way SQLite's own tokenizer does, closely enough to find names and clauses. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  const push = (type: Token['type'], start: number, end: number, value: string, extra: Partial<Token> = {}): void => {
    out.push({ type, text: text.slice(start, end), value, start, end, depth, ...extra });
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c <= 32) {
      i++;
    } else if (c === 45 && next === 45) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === 47 && next === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === 39) {
      const end = quotedEnd(text, i, "'");
      push('string', i, end, text.slice(i + 1, end - 1).replaceAll("''", "'"));
      i = end;
    } else if (c === 34 || c === 96) {
      const q = text[i];
      const end = quotedEnd(text, i, q);
      push('ident', i, end, text.slice(i + 1, end - 1).replaceAll(q + q, q), c === 34 ? { doubleQuoted: true } : {});
      i = end;
    } else if (c === 91) {
      const end = quotedEnd(text, i, ']');
      push('ident', i, end, text.slice(i + 1, end - 1));
      i = end;
    } else if ((c === 120 || c === 88) && next === 39) {
      const end = quotedEnd(text, i + 1, "'");
      push('blob', i, end, text.slice(i, end));
      i = end;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      push('word', i, j, text.slice(i, j).toUpperCase());
      i = j;
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      let j = i + 1;
      while (
        j < n &&
        (isWordChar(text.charCodeAt(j)) ||
          text[j] === '.' ||
          ((text[j] === '+' || text[j] === '-') && /[eE]/.test(text[j - 1])))
      )
        j++;
      push('number', i, j, text.slice(i, j));
      i = j;
    } else if (c === 63 || c === 58 || c === 64 || c === 36) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      push('var', i, j, text.slice(i, j));
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      const len = ['<=', '>=', '<>', '!=', '==', '||', '<<', '>>', '->'].includes(two)
        ? text.slice(i, i + 3) === '->>'
          ? 3
          : 2
        : 1;
      if (c === 41) depth = Math.max(0, depth - 1);
      push('op', i, i + len, text.slice(i, i + len));
      if (c === 40) depth++;
      i += len;
    }
  }
  return out;
}

/** Whether the token is the bare keyword `word` (upper case). */
export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token !== undefined && token.type === 'word' && words.includes(token.value);
}

/** Whether the token can be a name: a quoted name, a bare word or (SQLite leniency) a string. */
export function isName(token: Token | undefined): boolean {
  return token !== undefined && (token.type === 'word' || token.type === 'ident' || token.type === 'string');
}

/** The name a token spells, as SQLite keys it (bare words keep their case for display). */
export function nameOf(token: Token, source: string): string {
  return token.type === 'word' ? source.slice(token.start, token.end) : token.value;
}

/** A possibly schema-qualified name read at `index`: `[schema.]name`, with the index just past it. */
export interface QualifiedName {
  schema?: string;
  name: string;
  next: number;
}

/** Reads `[schema.]name` at `index`, or undefined when no name stands there. */
export function readName(tokens: readonly Token[], index: number, source: string): QualifiedName | undefined {
  const first = tokens[index];
  if (!isName(first)) return undefined;
  if (tokens[index + 1]?.text === '.' && isName(tokens[index + 2])) {
    return { schema: nameOf(first, source), name: nameOf(tokens[index + 2], source), next: index + 3 };
  }
  return { name: nameOf(first, source), next: index + 1 };
}

/** The index of the token that closes the parenthesis opened at `open`, or the last index. */
export function closing(tokens: readonly Token[], open: number): number {
  const depth = tokens[open].depth;
  for (let i = open + 1; i < tokens.length; i++) if (tokens[i].text === ')' && tokens[i].depth === depth) return i;
  return tokens.length - 1;
}

/** Splits tokens [from, to) at commas of the given depth. */
export function splitAtCommas(
  tokens: readonly Token[],
  from: number,
  to: number,
  depth: number,
): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let start = from;
  for (let i = from; i < to; i++) {
    if (tokens[i].text === ',' && tokens[i].depth === depth) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}

/** A case- and quote-insensitive spelling of a token run, for comparing expressions and definitions. */
export function normalized(tokens: readonly Token[], from = 0, to = tokens.length): string {
  const words: string[] = [];
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (t.type === 'word' || t.type === 'ident') words.push(t.value.toLowerCase());
    else if (t.type === 'string') words.push(`'${t.value}'`);
    else words.push(t.text.toLowerCase());
  }
  return words.join(' ');
}

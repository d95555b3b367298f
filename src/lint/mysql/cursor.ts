import { isName, nameText, type Token } from './tokens.js';

/** A schema-qualified name as written: `db`.`t` gives { schema: 'db', name: 't' }. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

/** Walks the tokens of one statement (or of one part of it, up to `end`) for the keyword readers. */
export class Cursor {
  pos: number;

  constructor(
    readonly tokens: readonly Token[],
    readonly text: string,
    pos = 0,
    readonly end = tokens.length,
  ) {
    this.pos = pos;
  }

  /** Whether every token up to `end` has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The token k places ahead, if any before `end`. */
  peek(k = 0): Token | undefined {
    return this.pos + k < this.end ? this.tokens[this.pos + k] : undefined;
  }

  /** The upper-cased word k tokens ahead, or '' when that token is not a bare word. */
  word(k = 0): string {
    const t = this.peek(k);
    return t?.kind === 'word' ? t.value : '';
  }

  /** Whether the next tokens are these words (or punctuation), in order. */
  at(...seq: string[]): boolean {
    return seq.every((w, k) => {
      const t = this.peek(k);
      return t !== undefined && (t.kind === 'word' || t.kind === 'punct') && t.value === w;
    });
  }

  /** Consumes the sequence when it is next. */
  accept(...seq: string[]): boolean {
    if (!this.at(...seq)) return false;
    this.pos += seq.length;
    return true;
  }

  /** Consumes one of the words when it is next and returns it. */
  acceptAny(...words: string[]): string | undefined {
    const w = this.word();
    if (w && words.includes(w)) {
      this.pos++;
      return w;
    }
    return undefined;
  }

  /** Consumes and returns the next token. */
  next(): Token | undefined {
    const t = this.peek();
    if (t) this.pos++;
    return t;
  }

  /** Reads a name, qualified or not; undefined (consuming nothing) when none is next. */
  name(): QualifiedName | undefined {
    const first = this.peek();
    if (!isName(first)) return undefined;
    this.pos++;
    if (this.at('.') && isName(this.peek(1))) {
      this.pos++;
      const second = this.next() as Token;
      return { schema: nameText(first, this.text), name: nameText(second, this.text) };
    }
    return { name: nameText(first, this.text) };
  }

  /** Reads a plain name (identifier, word or string) and returns its text. */
  simpleName(): string | undefined {
    const t = this.peek();
    if (!isName(t)) return undefined;
    this.pos++;
    return nameText(t, this.text);
  }

  /** Skips a balanced parenthesised group when one opens here; returns its inner token range. */
  group(): { from: number; to: number } | undefined {
    if (!this.at('(')) return undefined;
    const from = this.pos + 1;
    let depth = 0;
    while (!this.done) {
      const t = this.next() as Token;
      if (t.kind !== 'punct') continue;
      if (t.value === '(') depth++;
      else if (t.value === ')' && --depth === 0) return { from, to: this.pos - 1 };
    }
    return { from, to: this.pos };
  }

  /** Advances to the next top-level comma (or the end) and returns its index without consuming it. */
  skipToComma(): number {
    while (!this.done) {
      if (this.at('(')) {
        this.group();
        continue;
      }
      if (this.at(',')) return this.pos;
      this.pos++;
    }
    return this.pos;
  }

  /** The source text between two token indexes. */
  slice(from: number, to: number): string {
    if (from >= to) return '';
    return this.text.slice(this.tokens[from].start, this.tokens[to - 1].end);
  }

  /** A cursor over part of the same tokens. */
  sub(from: number, to: number): Cursor {
    return new Cursor(this.tokens, this.text, from, to);
  }
}

/** Top-level comma-separated parts of a token range, as [from, to) index pairs. */
export function commaParts(c: Cursor, from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  const sub = c.sub(from, to);
  let start = from;
  for (;;) {
    const comma = sub.skipToComma();
    parts.push([start, comma]);
    if (sub.done) break;
    sub.pos++;
    start = sub.pos;
  }
  return parts.filter(([a, b]) => b > a);
}

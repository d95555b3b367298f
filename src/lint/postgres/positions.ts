/**
 * Maps parser locations to `Hit.at`. libpg-query reports UTF-8 byte offsets, error cursors in code
 * points, and `Hit.at` is a UTF-16 index into the statement text; a piece of SQL read out of a
 * DO block or function body sits at `origin` inside the statement.
 */
export class SqlText {
  readonly #ascii: boolean;
  #bytes: Buffer | undefined;
  #clauses: number[] | undefined;

  constructor(
    readonly text: string,
    readonly origin = 0,
    /** Text that is not part of the statement (a routine body read earlier): no positions. */
    readonly detached = false,
  ) {
    this.#ascii = !/[^\x00-\x7f]/.test(text);
  }

  /** The statement index of a byte offset into this text. */
  atByte(byteOffset: number | undefined): number | undefined {
    if (byteOffset === undefined || byteOffset < 0 || this.detached) return undefined;
    if (this.#ascii) return this.origin + byteOffset;
    this.#bytes ??= Buffer.from(this.text, 'utf8');
    return this.origin + this.#bytes.subarray(0, byteOffset).toString('utf8').length;
  }

  /** The statement index of a code-point offset into this text (parser error cursors count characters). */
  atCodePoint(cursor: number): number {
    if (this.#ascii) return this.origin + Math.min(cursor, this.text.length);
    let i = 0;
    for (let n = 0; n < cursor && i < this.text.length; n++) i += (this.text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    return this.origin + i;
  }

  /**
   * Where each comma-separated clause of an `ALTER TABLE name clause, clause ...` starts, as
   * statement indexes, given the byte offset of the table name. The parser keeps no location for
   * subcommands, so the text is scanned: strings, quoted names, dollar quotes, comments and
   * parentheses hide their commas.
   */
  clauseStarts(nameByte: number | undefined): number[] {
    if (this.#clauses) return this.#clauses;
    if (this.detached) return (this.#clauses = []);
    const text = this.text;
    const starts: number[] = [];
    let i = nameByte === undefined ? 0 : (this.atByte(nameByte) ?? this.origin) - this.origin;
    i = skipName(text, i);
    starts.push(skipBlank(text, i));
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "'" || c === '"') i = quoteEnd(text, i, c);
      else if (c === '$' && /^\$[A-Za-z_]?\w*\$/.test(text.slice(i, i + 64))) {
        const tag = /^\$[A-Za-z_]?\w*\$/.exec(text.slice(i, i + 64))![0];
        const close = text.indexOf(tag, i + tag.length);
        i = close < 0 ? text.length : close + tag.length;
      } else if (c === '-' && text[i + 1] === '-') i = lineEndOf(text, i);
      else if (c === '/' && text[i + 1] === '*') i = commentEnd(text, i);
      else {
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ',' && depth === 0) starts.push(skipBlank(text, i + 1));
        i++;
      }
    }
    this.#clauses = starts.map((s) => this.origin + s);
    return this.#clauses;
  }
}

const WORD = /[\w$\u0080-\uffff]/;

function skipName(text: string, i: number): number {
  for (;;) {
    if (text[i] === '"') i = quoteEnd(text, i, '"');
    else while (i < text.length && WORD.test(text[i])) i++;
    if (text[i] !== '.') break;
    i++;
  }
  const j = skipBlank(text, i);
  return text[j] === '*' ? j + 1 : i;
}

function skipBlank(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) i = lineEndOf(text, i);
    else if (text.startsWith('/*', i)) i = commentEnd(text, i);
    else return i;
  }
}

function quoteEnd(text: string, i: number, q: string): number {
  let j = i + 1;
  for (;;) {
    const k = text.indexOf(q, j);
    if (k < 0) return text.length;
    if (text[k + 1] === q) j = k + 2;
    else return k + 1;
  }
}

function lineEndOf(text: string, i: number): number {
  const k = text.indexOf('\n', i);
  return k < 0 ? text.length : k + 1;
}

function commentEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}

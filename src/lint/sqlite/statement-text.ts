import {
  closing,
  isName,
  isWord,
  nameOf,
  readName,
  splitAtCommas,
  tokenize,
  type QualifiedName,
  type Token,
} from './tokens.js';

/** What kind of statement it is, from its leading keywords. */
export type Verb =
  | 'insert'
  | 'update'
  | 'delete'
  | 'select'
  | 'pragma'
  | 'vacuum'
  | 'reindex'
  | 'analyze'
  | 'attach'
  | 'detach'
  | 'transaction'
  | 'create'
  | 'drop'
  | 'alter'
  | 'other';

/** An ALTER TABLE action, with where its clause starts in the statement. */
export type AlterAction = { at: number } & (
  | { kind: 'rename-table'; to: string }
  | { kind: 'rename-column'; from: string; to: string }
  | { kind: 'add-column'; column: string }
  | { kind: 'drop-column'; column: string }
  | { kind: 'add-constraint'; name?: string; clause: string }
  | { kind: 'drop-constraint'; name: string }
  | { kind: 'set-not-null' | 'drop-not-null'; column: string }
);

/** An INSERT's shape: where it writes and, for INSERT ... SELECT, what it copies from where. */
export interface InsertShape {
  /** INSERT OR REPLACE, REPLACE INTO or ON CONFLICT ... DO UPDATE: may overwrite existing rows. */
  upsert: boolean;
  /** The column list, when the statement names one. */
  columns?: string[];
  /** For INSERT ... SELECT: each selected item's bare column name (null for an expression, '*' for a star). */
  items?: (string | null)[];
  /** The first table of the SELECT's FROM clause. */
  source?: QualifiedName;
}

/** The parts of a statement the analyzer reads from its text rather than from the schema. */
export interface StatementText {
  verb: Verb;
  tokens: Token[];
  /** The table or object the statement names first (written, altered, created or dropped). */
  target?: QualifiedName;
  insert?: InsertShape;
  /** Columns an UPDATE sets. */
  sets?: string[];
  /** UPDATE assignments that copy one column into another (`SET new_c = c`), target to source. */
  columnCopies?: Map<string, string>;
  alter?: AlterAction;
  /** CREATE/DROP: the object kind (TABLE, VIEW, INDEX, TRIGGER). */
  objectKind?: string;
  /** CREATE UNIQUE INDEX. */
  unique?: boolean;
  /** The pragma's name, lower case. */
  pragma?: string;
  /** ATTACH: the schema name it attaches as. */
  attachAs?: string;
}

const DML = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'SELECT', 'VALUES']);
const UPDATE_END = new Set(['FROM', 'WHERE', 'RETURNING', 'ORDER', 'LIMIT']);

/** The first keyword at depth 0 after a WITH clause: the statement the CTEs serve. */
function afterWith(tokens: readonly Token[]): number {
  for (let i = 1; i < tokens.length; i++)
    if (tokens[i].depth === 0 && tokens[i].type === 'word' && DML.has(tokens[i].value)) return i;
  return tokens.length;
}

function skipWords(tokens: readonly Token[], i: number, ...words: string[][]): number {
  let k = i;
  for (const options of words) if (isWord(tokens[k], ...options)) k++;
  return k;
}

/** What a SELECT copies: each item's bare column name (null for an expression, '*' for a star) and its first FROM table. */
function readCopy(tokens: readonly Token[], select: number, text: string): Pick<InsertShape, 'items' | 'source'> {
  const depth = tokens[select].depth;
  const from = tokens.findIndex((t, k) => k > select && t.depth === depth && isWord(t, 'FROM'));
  const itemsEnd = from === -1 ? tokens.length : from;
  const first = skipWords(tokens, select + 1, ['DISTINCT', 'ALL']);
  const items = splitAtCommas(tokens, first, itemsEnd, depth).map(([a, b]) => {
    // `x` and `t.x` copy a column; anything else (including `x AS y`) is an expression.
    const last = tokens[b - 1];
    const bare = b - a === 1 || (b - a === 3 && tokens[a + 1].text === '.');
    if (bare && last.text === '*') return '*';
    if (bare && (last.type === 'word' || last.type === 'ident')) return nameOf(last, text);
    return null;
  });
  return { items, source: from === -1 ? undefined : readName(tokens, from + 1, text) };
}

function readInsert(tokens: readonly Token[], start: number, text: string, out: StatementText): void {
  let i = start + 1;
  let upsert = tokens[start].value === 'REPLACE';
  if (isWord(tokens[i], 'OR')) {
    upsert ||= isWord(tokens[i + 1], 'REPLACE');
    i += 2;
  }
  if (isWord(tokens[i], 'INTO')) i++;
  const target = readName(tokens, i, text);
  if (!target) return;
  out.target = target;
  i = target.next;
  if (isWord(tokens[i], 'AS')) i += 2;
  const shape: InsertShape = { upsert };
  if (tokens[i]?.text === '(') {
    const close = closing(tokens, i);
    shape.columns = splitAtCommas(tokens, i + 1, close, tokens[i].depth + 1).map(([a]) => nameOf(tokens[a], text));
    i = close + 1;
  }
  const depth = tokens[i]?.depth ?? 0;
  for (let k = i; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.depth === depth && isWord(t, 'DO') && isWord(tokens[k + 1], 'UPDATE')) shape.upsert = true;
  }
  const select = tokens.findIndex((t, k) => k >= i && t.depth === depth && isWord(t, 'SELECT'));
  if (select !== -1 && !tokens.slice(i, select).some((t) => t.depth === depth && isWord(t, 'VALUES')))
    Object.assign(shape, readCopy(tokens, select, text));
  out.insert = shape;
}

function readUpdate(tokens: readonly Token[], start: number, text: string, out: StatementText): void {
  let i = skipWords(tokens, start + 1, ['OR'], ['ROLLBACK', 'ABORT', 'REPLACE', 'FAIL', 'IGNORE']);
  const target = readName(tokens, i, text);
  if (!target) return;
  out.target = target;
  i = target.next;
  const set = tokens.findIndex((t, k) => k >= i && t.depth === 0 && isWord(t, 'SET'));
  if (set === -1) return;
  let end = tokens.findIndex((t, k) => k > set && t.depth === 0 && t.type === 'word' && UPDATE_END.has(t.value));
  if (end === -1) end = tokens.length;
  const sets: string[] = [];
  const copies = new Map<string, string>();
  for (const [a, b] of splitAtCommas(tokens, set + 1, end, 0)) {
    if (tokens[a].text === '(') {
      const close = closing(tokens, a);
      for (const [c] of splitAtCommas(tokens, a + 1, close, 1)) sets.push(nameOf(tokens[c], text));
    } else if (isName(tokens[a])) {
      sets.push(nameOf(tokens[a], text));
      const source = tokens[b - 1];
      const bare = b - a === 3 || (b - a === 5 && tokens[b - 2].text === '.');
      if (tokens[a + 1]?.text === '=' && bare && (source.type === 'word' || source.type === 'ident'))
        copies.set(nameOf(tokens[a], text), nameOf(source, text));
    }
  }
  out.sets = sets;
  out.columnCopies = copies;
}

function readAlter(tokens: readonly Token[], text: string, out: StatementText): void {
  const target = readName(tokens, 2, text);
  if (!target) return;
  out.target = target;
  const i = target.next;
  const t = tokens[i];
  if (!t) return;
  const at = t.start;
  const name = (k: number): string => (tokens[k] ? nameOf(tokens[k], text) : '');
  if (isWord(t, 'RENAME')) {
    if (isWord(tokens[i + 1], 'TO')) out.alter = { at, kind: 'rename-table', to: name(i + 2) };
    else {
      const k = isWord(tokens[i + 1], 'COLUMN') ? i + 2 : i + 1;
      out.alter = { at, kind: 'rename-column', from: name(k), to: name(k + 2) };
    }
  } else if (isWord(t, 'ADD')) {
    if (isWord(tokens[i + 1], 'CONSTRAINT', 'CHECK')) {
      const named = isWord(tokens[i + 1], 'CONSTRAINT');
      out.alter = {
        at,
        kind: 'add-constraint',
        name: named ? name(i + 2) : undefined,
        clause: text.slice(tokens[i + 1].start).trim(),
      };
    } else {
      const k = isWord(tokens[i + 1], 'COLUMN') ? i + 2 : i + 1;
      out.alter = { at, kind: 'add-column', column: name(k) };
    }
  } else if (isWord(t, 'DROP')) {
    if (isWord(tokens[i + 1], 'CONSTRAINT')) out.alter = { at, kind: 'drop-constraint', name: name(i + 2) };
    else out.alter = { at, kind: 'drop-column', column: name(isWord(tokens[i + 1], 'COLUMN') ? i + 2 : i + 1) };
  } else if (isWord(t, 'ALTER')) {
    const k = isWord(tokens[i + 1], 'COLUMN') ? i + 2 : i + 1;
    if (isWord(tokens[k + 1], 'SET') && isWord(tokens[k + 2], 'NOT'))
      out.alter = { at, kind: 'set-not-null', column: name(k) };
    else if (isWord(tokens[k + 1], 'DROP') && isWord(tokens[k + 2], 'NOT'))
      out.alter = { at, kind: 'drop-not-null', column: name(k) };
  }
}

function readObject(tokens: readonly Token[], text: string, out: StatementText): void {
  let i = skipWords(tokens, 1, ['TEMP', 'TEMPORARY'], ['UNIQUE'], ['VIRTUAL']);
  out.unique = isWord(tokens[1], 'UNIQUE');
  out.objectKind = tokens[i]?.value;
  i = skipWords(tokens, i + 1, ['IF'], ['NOT'], ['EXISTS']);
  out.target = readName(tokens, i, text);
  // CREATE TABLE ... AS SELECT copies rows like INSERT ... SELECT does.
  const as =
    out.target && out.verb === 'create' && out.objectKind === 'TABLE' && isWord(tokens[out.target.next], 'AS')
      ? out.target.next
      : -1;
  if (as !== -1) {
    const select = tokens.findIndex((t, k) => k > as && t.depth === 0 && isWord(t, 'SELECT'));
    if (select !== -1) out.insert = { upsert: false, ...readCopy(tokens, select, text) };
  }
}

/** Reads the statement's verb, target and the clauses the classifier needs. */
export function readStatement(text: string): StatementText {
  const tokens = tokenize(text);
  const out: StatementText = { verb: 'other', tokens };
  let start = 0;
  if (isWord(tokens[0], 'WITH')) start = afterWith(tokens);
  const head = tokens[start];
  if (!head || head.type !== 'word') return out;
  switch (head.value) {
    case 'INSERT':
    case 'REPLACE':
      out.verb = 'insert';
      readInsert(tokens, start, text, out);
      break;
    case 'UPDATE':
      out.verb = 'update';
      readUpdate(tokens, start, text, out);
      break;
    case 'DELETE':
      out.verb = 'delete';
      out.target = readName(tokens, isWord(tokens[start + 1], 'FROM') ? start + 2 : start + 1, text);
      break;
    case 'SELECT':
    case 'VALUES':
      out.verb = 'select';
      break;
    case 'PRAGMA': {
      out.verb = 'pragma';
      const name = readName(tokens, 1, text);
      out.pragma = name?.name.toLowerCase();
      break;
    }
    case 'VACUUM':
      out.verb = 'vacuum';
      break;
    case 'REINDEX':
      out.verb = 'reindex';
      out.target = readName(tokens, 1, text);
      break;
    case 'ANALYZE':
      out.verb = 'analyze';
      break;
    case 'ATTACH': {
      out.verb = 'attach';
      let as = tokens.length - 1;
      while (as >= 0 && !(tokens[as].depth === 0 && isWord(tokens[as], 'AS'))) as--;
      if (as !== -1 && tokens[as + 1]) out.attachAs = nameOf(tokens[as + 1], text);
      break;
    }
    case 'DETACH':
      out.verb = 'detach';
      break;
    case 'BEGIN':
    case 'COMMIT':
    case 'END':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
      out.verb = 'transaction';
      break;
    case 'CREATE':
      out.verb = 'create';
      readObject(tokens, text, out);
      break;
    case 'DROP':
      out.verb = 'drop';
      readObject(tokens, text, out);
      break;
    case 'ALTER':
      out.verb = 'alter';
      readAlter(tokens, text, out);
      break;
  }
  return out;
}

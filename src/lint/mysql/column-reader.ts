import type { ColumnSpec, DefaultSpec, IndexSpec, Position, TypeSpec } from './actions.js';
import { makeType, readDefault } from './column-types.js';
import { commaParts, type Cursor } from './cursor.js';

// Words that end a type and start the column's attributes.
const TYPE_ATTRIBUTES = new Set(['UNSIGNED', 'SIGNED', 'ZEROFILL', 'BINARY', 'ASCII', 'UNICODE', 'BYTE']);

/** Reads a data type at the cursor: `VARCHAR(255) CHARACTER SET utf8mb4 BINARY`, `DOUBLE PRECISION`, `ENUM('a','b')`. */
export function readType(c: Cursor): TypeSpec | undefined {
  let name = c.word();
  if (!name) return undefined;
  c.pos++;
  // Multi-word spellings of one type.
  if (name === 'DOUBLE') c.accept('PRECISION');
  else if (name === 'NATIONAL') {
    name = c.acceptAny('CHAR', 'CHARACTER', 'VARCHAR') ?? 'CHAR';
    if (c.accept('VARYING')) name = 'VARCHAR';
  } else if (name === 'CHAR' || name === 'CHARACTER' || name === 'NCHAR') {
    if (c.accept('VARYING') || c.accept('VARCHAR')) name = 'VARCHAR';
  } else if (name === 'LONG') {
    if (c.accept('VARBINARY')) name = 'MEDIUMBLOB';
    else {
      c.accept('VARCHAR');
      name = 'MEDIUMTEXT';
    }
  } else if (name === 'SERIAL') return makeType('BIGINT', [], { unsigned: true });
  const args: number[] = [];
  let values: string[] | undefined;
  const g = c.group();
  if (g) {
    const inner = c.tokens.slice(g.from, g.to);
    if (name === 'ENUM' || name === 'SET') values = inner.filter((t) => t.kind === 'string').map((t) => t.value);
    else for (const t of inner) if (t.kind === 'number') args.push(Number(t.value));
  }
  let unsigned = false;
  let zerofill = false;
  let binary = false;
  let charset: string | undefined;
  let collate: string | undefined;
  for (;;) {
    const w = c.word();
    if (TYPE_ATTRIBUTES.has(w)) {
      c.pos++;
      if (w === 'UNSIGNED') unsigned = true;
      else if (w === 'ZEROFILL') zerofill = unsigned = true;
      else if (w === 'BINARY') binary = true;
      continue;
    }
    const cs = readCharset(c);
    if (cs) {
      if (cs.charset) charset = cs.charset;
      if (cs.collate) collate = cs.collate;
      continue;
    }
    break;
  }
  return makeType(name, args, {
    ...(values ? { values } : {}),
    ...(unsigned ? { unsigned } : {}),
    ...(zerofill ? { zerofill } : {}),
    ...(binary ? { binary } : {}),
    ...(charset ? { charset } : {}),
    ...(collate ? { collate } : {}),
  });
}

/** Reads `CHARACTER SET x`, `CHARSET x` or `COLLATE x` (with an optional `=`) at the cursor. */
export function readCharset(c: Cursor): { charset?: string; collate?: string } | undefined {
  if (c.accept('CHARACTER', 'SET') || c.accept('CHARSET') || c.accept('CHAR', 'SET')) {
    c.accept('=');
    return { charset: c.simpleName()?.toLowerCase() ?? '' };
  }
  if (c.accept('COLLATE')) {
    c.accept('=');
    return { collate: c.simpleName()?.toLowerCase() ?? '' };
  }
  return undefined;
}

/** A column definition read by the keyword reader, with its FIRST / AFTER position. */
export interface ReadColumn {
  readonly column: ColumnSpec;
  readonly position?: Position;
}

// Attributes that take one argument we do not need.
const ONE_ARGUMENT = new Set([
  'COMMENT',
  'COLUMN_FORMAT',
  'STORAGE',
  'SRID',
  'ENGINE_ATTRIBUTE',
  'SECONDARY_ENGINE_ATTRIBUTE',
]);
const REFERENTIAL_ACTIONS = ['RESTRICT', 'CASCADE', 'NO', 'ACTION', 'SET', 'NULL', 'DEFAULT'];

/**
 * Reads a column definition after its name, up to the cursor's end. Attributes it does not know
 * make the definition `uncertain`, so a restatement is not compared on them.
 */
export function readColumnDefinition(c: Cursor, name: string): ReadColumn {
  const serial = c.word() === 'SERIAL';
  const type = readType(c);
  let uncertain = type === undefined;
  const spec: { -readonly [K in keyof ColumnSpec]: ColumnSpec[K] } = { name, ...(type ? { type } : {}) };
  if (serial) {
    spec.autoIncrement = true;
    spec.nullable = false;
    spec.unique = true;
  }
  let position: Position | undefined;
  let typeExtra: { charset?: string; collate?: string } = {};
  while (!c.done) {
    if (c.accept('NOT', 'NULL')) spec.nullable = false;
    else if (c.accept('NULL')) spec.nullable = true;
    else if (c.accept('DEFAULT')) {
      const d: DefaultSpec | undefined = readDefault(c);
      if (d) spec.default = d;
    } else if (c.accept('ON', 'UPDATE')) spec.onUpdate = readDefault(c)?.canonical;
    else if (c.accept('AUTO_INCREMENT')) spec.autoIncrement = true;
    else if (c.accept('UNIQUE')) {
      c.accept('KEY');
      spec.unique = true;
    } else if (c.accept('PRIMARY', 'KEY') || c.accept('KEY')) spec.primaryKey = true;
    else if (c.accept('GENERATED', 'ALWAYS') || c.at('AS', '(')) {
      c.accept('AS');
      c.group();
      spec.generated = 'virtual';
    } else if (c.accept('STORED') || c.accept('PERSISTENT')) spec.generated = 'stored';
    else if (c.accept('VIRTUAL')) spec.generated = 'virtual';
    else if (c.accept('VISIBLE')) spec.invisible = false;
    else if (c.accept('INVISIBLE')) spec.invisible = true;
    else if (c.accept('REFERENCES')) {
      c.name();
      c.group();
      while (c.accept('MATCH')) c.next();
      while (c.accept('ON')) {
        c.acceptAny('DELETE', 'UPDATE');
        while (c.acceptAny(...REFERENTIAL_ACTIONS));
      }
    } else if (c.at('CONSTRAINT') || c.at('CHECK')) {
      if (c.accept('CONSTRAINT') && !c.at('CHECK')) c.simpleName();
      if (c.accept('CHECK')) {
        c.group();
        const notEnforced = c.accept('NOT', 'ENFORCED');
        c.accept('ENFORCED');
        if (!notEnforced) spec.check = true;
      }
    } else if (c.accept('FIRST')) position = { first: true };
    else if (c.accept('AFTER')) position = { after: c.simpleName() ?? '' };
    else if (ONE_ARGUMENT.has(c.word())) {
      c.pos++;
      c.accept('=');
      c.next();
    } else if (
      c.accept('WITH', 'SYSTEM', 'VERSIONING') ||
      c.accept('WITHOUT', 'SYSTEM', 'VERSIONING') ||
      c.accept('COMPRESSED')
    ) {
      // MariaDB attributes that change nothing the previous release reads.
    } else {
      const cs = readCharset(c);
      if (cs) typeExtra = { ...typeExtra, ...cs };
      else {
        uncertain = true;
        c.pos++;
      }
    }
  }
  if (spec.type && (typeExtra.charset || typeExtra.collate)) spec.type = { ...spec.type, ...typeExtra };
  if (uncertain) spec.uncertain = true;
  return { column: spec, ...(position ? { position } : {}) };
}

/** The column names of an index's key part list `(a, b(10) DESC, (expr))` at the cursor. */
export function readKeyParts(c: Cursor): string[] {
  const g = c.group();
  if (!g) return [];
  return commaParts(c, g.from, g.to).map(([from]) => {
    const t = c.tokens[from];
    return t.kind === 'punct' ? '(expr)' : (c.sub(from, from + 1).simpleName() ?? '');
  });
}

/** An index, key or constraint element of CREATE TABLE or ALTER TABLE ... ADD, read at the cursor. */
export type ReadElement =
  | { readonly kind: 'index'; readonly name?: string; readonly index: IndexSpec }
  | { readonly kind: 'foreign-key'; readonly name?: string; readonly columns: string[]; readonly references?: string }
  | { readonly kind: 'check'; readonly name?: string; readonly enforced: boolean };

/**
 * Reads a table element that is not a column: `[CONSTRAINT [name]] PRIMARY KEY (...)`, `UNIQUE
 * [KEY] name (...)`, `INDEX|KEY name (...)`, `FULLTEXT|SPATIAL ...`, `FOREIGN KEY ...`, `CHECK (...)`.
 * Undefined (consuming nothing) when the cursor is at a column definition.
 */
export function readElement(c: Cursor): ReadElement | undefined {
  const start = c.pos;
  let name: string | undefined;
  if (c.accept('CONSTRAINT')) {
    // MariaDB accepts IF NOT EXISTS before constraint and index names.
    c.accept('IF', 'NOT', 'EXISTS');
    if (!['PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK'].includes(c.word())) name = c.simpleName();
  }
  const optionalName = (): void => {
    c.accept('IF', 'NOT', 'EXISTS');
    if (!c.at('(') && !c.at('USING')) name = c.simpleName() ?? name;
    if (c.accept('USING')) c.next();
  };
  if (c.accept('PRIMARY', 'KEY')) {
    if (c.accept('USING')) c.next();
    return {
      kind: 'index',
      ...(name ? { name } : {}),
      index: { unique: true, primary: true, columns: readKeyParts(c) },
    };
  }
  if (c.accept('UNIQUE')) {
    c.acceptAny('INDEX', 'KEY');
    optionalName();
    return {
      kind: 'index',
      ...(name ? { name } : {}),
      index: { unique: true, primary: false, columns: readKeyParts(c) },
    };
  }
  if (c.accept('FOREIGN', 'KEY')) {
    optionalName();
    const columns = readKeyParts(c);
    let references: string | undefined;
    if (c.accept('REFERENCES')) references = c.name()?.name;
    return { kind: 'foreign-key', ...(name ? { name } : {}), columns, ...(references ? { references } : {}) };
  }
  if (c.accept('CHECK')) {
    c.group();
    const enforced = !c.accept('NOT', 'ENFORCED');
    return { kind: 'check', ...(name ? { name } : {}), enforced };
  }
  if (name === undefined && c.pos === start) {
    const special = c.acceptAny('FULLTEXT', 'SPATIAL') as 'FULLTEXT' | 'SPATIAL' | undefined;
    if (special || c.at('INDEX') || c.at('KEY')) {
      c.acceptAny('INDEX', 'KEY');
      optionalName();
      return {
        kind: 'index',
        ...(name ? { name } : {}),
        index: { unique: false, primary: false, ...(special ? { special } : {}), columns: readKeyParts(c) },
      };
    }
  }
  c.pos = start;
  return undefined;
}

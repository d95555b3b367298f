import type { Clause, ClauseBody } from './actions.js';
import { readCharset, readColumnDefinition, readElement } from './column-reader.js';
import { readDefault } from './column-types.js';
import { commaParts, type Cursor } from './cursor.js';
import { nameText } from './tokens.js';

// Table options that only change metadata the previous release never reads.
const NEUTRAL_OPTIONS = new Set([
  'COMMENT',
  'STATS_PERSISTENT',
  'STATS_AUTO_RECALC',
  'STATS_SAMPLE_PAGES',
  'AVG_ROW_LENGTH',
  'MAX_ROWS',
  'MIN_ROWS',
  'PACK_KEYS',
  'CHECKSUM',
  'TABLE_CHECKSUM',
  'DELAY_KEY_WRITE',
  'INSERT_METHOD',
  'CONNECTION',
  'PASSWORD',
  'UNION',
  'TABLESPACE',
  'STORAGE',
  'AUTOEXTEND_SIZE',
  'PAGE_CHECKSUM',
  'TRANSACTIONAL',
  'SECONDARY_ENGINE',
  'ENGINE_ATTRIBUTE',
  'SECONDARY_ENGINE_ATTRIBUTE',
  'PAGE_COMPRESSED',
  'PAGE_COMPRESSION_LEVEL',
  'IETF_QUOTES',
  'SEQUENCE',
]);
// Table options that make InnoDB rebuild the table (MySQL online DDL matrix: "rebuilds table").
const REBUILD_OPTIONS = new Set(['ENGINE', 'ROW_FORMAT', 'KEY_BLOCK_SIZE', 'ENCRYPTION', 'COMPRESSION']);
const PARTITION_REBUILDS = ['COALESCE', 'REORGANIZE', 'REBUILD', 'OPTIMIZE', 'REMOVE'];
const PARTITION_NEUTRAL = ['ANALYZE', 'CHECK', 'REPAIR', 'DISCARD', 'IMPORT'];

/** Reads an option value after an optional `=`: a word, name, string or number. */
function optionValue(c: Cursor): string {
  c.accept('=');
  const t = c.next();
  return t ? nameText(t, c.text) : '';
}

/** Reads one clause of a comma part; table options may follow each other without commas. */
function readOne(c: Cursor): ClauseBody | undefined {
  const w = c.word();
  if (c.accept('ADD')) {
    if (c.at('PARTITION')) {
      c.pos = c.end;
      return { kind: 'neutral', what: 'adds partitions' };
    }
    const element = readElement(c);
    if (element) {
      c.pos = c.end;
      if (element.kind === 'index')
        return { kind: 'add-index', ...(element.name ? { name: element.name } : {}), index: element.index };
      if (element.kind === 'foreign-key')
        return {
          kind: 'add-foreign-key',
          ...(element.name ? { name: element.name } : {}),
          columns: element.columns,
          ...(element.references ? { references: element.references } : {}),
        };
      return { kind: 'add-check', ...(element.name ? { name: element.name } : {}), enforced: element.enforced };
    }
    c.accept('COLUMN');
    const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
    if (c.at('(')) return undefined; // ADD (a INT, b INT): split by the caller
    const name = c.simpleName();
    if (name === undefined) return undefined;
    const { column, position } = readColumnDefinition(c, name);
    return { kind: 'add-column', column, ...(position ? { position } : {}), ...(ifNotExists ? { ifNotExists } : {}) };
  }
  if (c.accept('DROP')) {
    if (c.accept('PRIMARY', 'KEY')) return { kind: 'drop-constraint', what: 'primary key' };
    if (c.accept('FOREIGN', 'KEY')) {
      const ifExists = c.accept('IF', 'EXISTS');
      return {
        kind: 'drop-constraint',
        what: 'foreign key',
        name: c.simpleName() ?? '',
        ...(ifExists ? { ifExists } : {}),
      };
    }
    const what = c.acceptAny('CHECK', 'CONSTRAINT', 'INDEX', 'KEY', 'PARTITION', 'COLUMN');
    const ifExists = c.accept('IF', 'EXISTS');
    if (what === 'PARTITION') {
      c.pos = c.end;
      return { kind: 'drop-partition', what: 'drops partitions' };
    }
    const name = c.simpleName();
    if (name === undefined) return undefined;
    if (what === 'CHECK' || what === 'CONSTRAINT')
      return {
        kind: 'drop-constraint',
        what: what === 'CHECK' ? 'check' : 'constraint',
        name,
        ...(ifExists ? { ifExists } : {}),
      };
    if (what === 'INDEX' || what === 'KEY') return { kind: 'drop-index', name, ...(ifExists ? { ifExists } : {}) };
    return { kind: 'drop-column', name, ...(ifExists ? { ifExists } : {}) };
  }
  if (w === 'MODIFY' || w === 'CHANGE') {
    c.pos++;
    c.accept('COLUMN');
    c.accept('IF', 'EXISTS');
    const name = c.simpleName();
    const newName = w === 'CHANGE' ? c.simpleName() : name;
    if (name === undefined || newName === undefined) return undefined;
    const { column, position } = readColumnDefinition(c, newName);
    return { kind: 'modify-column', name, column, ...(position ? { position } : {}), change: w === 'CHANGE' };
  }
  if (c.accept('ALTER')) {
    if (c.acceptAny('CHECK', 'CONSTRAINT')) {
      const name = c.simpleName() ?? '';
      const enforced = !c.accept('NOT', 'ENFORCED');
      c.accept('ENFORCED');
      return { kind: 'alter-check', name, enforced };
    }
    if (c.accept('INDEX') || c.accept('KEY')) {
      const name = c.simpleName() ?? '';
      if (c.accept('INVISIBLE') || c.accept('IGNORED')) return { kind: 'index-visibility', name, invisible: true };
      if (c.accept('VISIBLE') || c.accept('NOT', 'IGNORED'))
        return { kind: 'index-visibility', name, invisible: false };
      return undefined;
    }
    c.accept('COLUMN');
    c.accept('IF', 'EXISTS');
    const name = c.simpleName();
    if (name === undefined) return undefined;
    if (c.accept('SET', 'DEFAULT')) {
      const d = readDefault(c);
      return d ? { kind: 'set-default', name, default: d } : undefined;
    }
    if (c.accept('DROP', 'DEFAULT')) return { kind: 'drop-default', name };
    if (c.accept('SET', 'INVISIBLE')) return { kind: 'visibility', name, invisible: true };
    if (c.accept('SET', 'VISIBLE')) return { kind: 'visibility', name, invisible: false };
    return undefined;
  }
  if (c.accept('RENAME')) {
    if (c.accept('COLUMN')) {
      const from = c.simpleName();
      const to = c.accept('TO') ? c.simpleName() : undefined;
      return from !== undefined && to !== undefined ? { kind: 'rename-column', from, to } : undefined;
    }
    if (c.acceptAny('INDEX', 'KEY')) {
      const from = c.simpleName();
      const to = c.accept('TO') ? c.simpleName() : undefined;
      return from !== undefined && to !== undefined ? { kind: 'rename-index', from, to } : undefined;
    }
    c.acceptAny('TO', 'AS');
    const to = c.name();
    return to ? { kind: 'rename-table', to: to.name } : undefined;
  }
  if (w === 'ALGORITHM' || w === 'LOCK') {
    c.pos++;
    const value = optionValue(c).toUpperCase();
    return w === 'ALGORITHM' ? { kind: 'algorithm', value } : { kind: 'lock', value };
  }
  if (c.accept('FORCE')) return { kind: 'rebuild', what: 'FORCE' };
  if (REBUILD_OPTIONS.has(w)) {
    c.pos++;
    return { kind: 'rebuild', what: `${w}=${optionValue(c)}` };
  }
  if (c.accept('CONVERT', 'TO')) {
    const cs = readCharset(c);
    const more = readCharset(c);
    const what = [cs?.charset ?? cs?.collate, more?.collate].filter(Boolean).join(' ');
    return { kind: 'charset', convert: true, what };
  }
  if (w === 'DEFAULT' || w === 'CHARACTER' || w === 'CHARSET' || w === 'COLLATE' || w === 'CHAR') {
    const start = c.pos;
    c.accept('DEFAULT');
    const cs = readCharset(c);
    if (cs) return { kind: 'charset', convert: false, what: cs.charset ?? cs.collate ?? '' };
    c.pos = start;
    return undefined;
  }
  if (c.accept('AUTO_INCREMENT')) return { kind: 'auto-increment', value: optionValue(c) };
  if (NEUTRAL_OPTIONS.has(w)) {
    c.pos++;
    optionValue(c);
    return { kind: 'neutral', what: w };
  }
  if (c.accept('DISABLE', 'KEYS') || c.accept('ENABLE', 'KEYS')) return { kind: 'neutral', what: `${w} KEYS` };
  if (c.accept('WITH', 'VALIDATION') || c.accept('WITHOUT', 'VALIDATION'))
    return { kind: 'neutral', what: 'VALIDATION' };
  if (c.accept('ORDER', 'BY')) {
    c.pos = c.end;
    return { kind: 'rebuild', what: 'ORDER BY' };
  }
  if (w === 'PARTITION' && c.word(1) === 'BY') {
    c.pos = c.end;
    return { kind: 'rebuild', what: 'PARTITION BY' };
  }
  if (PARTITION_REBUILDS.includes(w) && ['PARTITION', 'PARTITIONING'].includes(c.word(1))) {
    const what = `${w} ${c.word(1)}`;
    c.pos = c.end;
    return { kind: 'rebuild', what };
  }
  if (PARTITION_NEUTRAL.includes(w) && c.word(1) === 'PARTITION') {
    c.pos = c.end;
    return { kind: 'neutral', what: `${w} PARTITION` };
  }
  if ((w === 'TRUNCATE' || w === 'EXCHANGE') && c.word(1) === 'PARTITION') {
    c.pos = c.end;
    return { kind: 'drop-partition', what: w === 'TRUNCATE' ? 'empties partitions' : 'exchanges a partition' };
  }
  return undefined;
}

/**
 * Reads the clauses of an ALTER TABLE between two token indexes (after the table name). A part
 * the reader cannot read becomes an `unknown` clause, so the rest of the statement still counts.
 */
export function readAlterClauses(c: Cursor, from: number, to: number): Clause[] {
  const out: Clause[] = [];
  for (const [a, b] of commaParts(c, from, to)) {
    const part = c.sub(a, b);
    // ADD [COLUMN] (a INT, b INT) adds several columns in one clause.
    const multi = part.sub(a, b);
    multi.accept('ADD');
    multi.accept('COLUMN');
    if (multi.at('(')) {
      const g = multi.group();
      const columns = g ? commaParts(c, g.from, g.to) : [];
      if (columns.length === 0) out.push({ kind: 'unknown', text: c.slice(a, b), at: c.tokens[a].start });
      for (const [x, y] of columns) {
        const col = c.sub(x, y);
        const name = col.simpleName();
        if (name === undefined) out.push({ kind: 'unknown', text: c.slice(x, y), at: c.tokens[x].start });
        else out.push({ kind: 'add-column', column: readColumnDefinition(col, name).column, at: c.tokens[x].start });
      }
      continue;
    }
    while (!part.done) {
      const start = part.pos;
      const clause = readOne(part);
      const at = c.tokens[start].start;
      if (!clause) {
        out.push({ kind: 'unknown', text: c.slice(start, b), at });
        break;
      }
      out.push({ ...clause, at } as Clause);
      // Only table options may follow each other without a comma; anything else ends here.
      if (
        !part.done &&
        !['algorithm', 'lock', 'rebuild', 'charset', 'auto-increment', 'neutral'].includes(clause.kind)
      ) {
        if (clause.kind === 'add-column' || clause.kind === 'modify-column') break;
        out.push({ kind: 'unknown', text: c.slice(part.pos, b), at: c.tokens[part.pos].start });
        break;
      }
    }
  }
  return out;
}

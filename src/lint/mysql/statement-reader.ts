import type { Action } from './actions.js';
import { readAlterClauses } from './alter-reader.js';
import { readKeyParts } from './column-reader.js';
import { readCreateTable } from './create-table-reader.js';
import { Cursor } from './cursor.js';
import { hasTopLevel, readDelete, readUpdate } from './dml-reader.js';
import type { Token } from './tokens.js';

// Statements that change nothing the previous release sees.
const NEUTRAL_HEADS = new Set([
  'SET',
  'LOCK',
  'UNLOCK',
  'USE',
  'START',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'SELECT',
  'DO',
  'FLUSH',
  'ANALYZE',
  'CHECK',
  'CHECKSUM',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'PREPARE',
  'DEALLOCATE',
  'REPAIR',
  'XA',
  'SIGNAL',
  'RESIGNAL',
  'GET',
  'RESET',
  'PURGE',
  'KILL',
  'HELP',
  'WITH',
  'VALUES',
  'TABLE',
  'CACHE',
  'LOAD_INDEX',
]);

/** Statement text for a message: one line, at most 80 characters. */
const shorten = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
};

/** Skips `DEFINER = user`, `ALGORITHM = x`, `SQL SECURITY x` between CREATE and the object keyword. */
function skipCreateOptions(c: Cursor): void {
  for (;;) {
    if (c.accept('DEFINER')) {
      c.accept('=');
      if (c.accept('CURRENT_USER')) c.group();
      else {
        c.next();
        if (c.at('@')) c.pos += 2;
        else if (c.peek()?.kind === 'var') c.pos++;
      }
    } else if (c.accept('ALGORITHM')) {
      c.accept('=');
      c.next();
    } else if (c.accept('SQL', 'SECURITY')) c.next();
    else if (!c.acceptAny('AGGREGATE', 'ONLINE', 'OFFLINE')) return;
  }
}

function readCreate(c: Cursor): Action | undefined {
  const start = c.pos;
  const table = readCreateTable(c);
  if (table) return table;
  c.pos = start;
  const orReplace = c.accept('OR', 'REPLACE');
  skipCreateOptions(c);
  const kind = c.acceptAny('UNIQUE', 'FULLTEXT', 'SPATIAL');
  if (c.accept('INDEX')) {
    c.accept('IF', 'NOT', 'EXISTS');
    const name = c.simpleName() ?? '';
    if (c.accept('USING')) c.next();
    if (!c.accept('ON')) return undefined;
    const tableName = c.name()?.name;
    if (tableName === undefined) return undefined;
    const columns = readKeyParts(c);
    const { algorithm, lock } = readAlgorithmLock(c);
    const special = kind === 'FULLTEXT' || kind === 'SPATIAL' ? { special: kind as 'FULLTEXT' | 'SPATIAL' } : {};
    return {
      kind: 'create-index',
      table: tableName,
      name,
      index: { unique: kind === 'UNIQUE', primary: false, columns, ...special },
      ...(algorithm ? { algorithm } : {}),
      ...(lock ? { lock } : {}),
    };
  }
  if (kind) return undefined;
  const what = c.acceptAny(
    'VIEW',
    'PROCEDURE',
    'FUNCTION',
    'TRIGGER',
    'EVENT',
    'DATABASE',
    'SCHEMA',
    'USER',
    'ROLE',
    'SEQUENCE',
    'SERVER',
    'TABLESPACE',
    'LOGFILE',
    'SPATIAL',
  );
  if (!what) return undefined;
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  const name = c.name()?.name ?? '';
  switch (what) {
    case 'VIEW':
      return { kind: 'create-view', name, orReplace, alter: false };
    case 'PROCEDURE':
    case 'FUNCTION':
      return {
        kind: 'create-routine',
        routine: what === 'PROCEDURE' ? 'procedure' : 'function',
        name,
        orReplace,
        ifNotExists,
      };
    case 'TRIGGER': {
      c.acceptAny('BEFORE', 'AFTER');
      c.acceptAny('INSERT', 'UPDATE', 'DELETE');
      const on = c.accept('ON') ? c.name()?.name : undefined;
      return { kind: 'create-trigger', name, table: on ?? '', orReplace };
    }
    case 'EVENT':
      return { kind: 'event', verb: 'create', name };
    case 'DATABASE':
    case 'SCHEMA':
      return { kind: 'create-schema', name };
    case 'SEQUENCE':
      return { kind: 'sequence', verb: 'create', name };
    default:
      return { kind: 'additive', what: `creates a ${what.toLowerCase()}` };
  }
}

function readDrop(c: Cursor): Action | undefined {
  const temporary = c.accept('TEMPORARY');
  const what = c.acceptAny(
    'TABLE',
    'TABLES',
    'INDEX',
    'VIEW',
    'PROCEDURE',
    'FUNCTION',
    'TRIGGER',
    'EVENT',
    'DATABASE',
    'SCHEMA',
    'USER',
    'ROLE',
    'SEQUENCE',
  );
  if (!what) return undefined;
  c.acceptAny('ONLINE', 'OFFLINE');
  const ifExists = c.accept('IF', 'EXISTS');
  const names: string[] = [];
  const readNames = (): void => {
    for (;;) {
      const n = c.name();
      if (n) names.push(n.name);
      if (!c.accept(',')) break;
    }
  };
  switch (what) {
    case 'TABLE':
    case 'TABLES':
      readNames();
      return { kind: 'drop-table', tables: names, ifExists, temporary };
    case 'INDEX': {
      const name = c.simpleName() ?? '';
      const table = c.accept('ON') ? (c.name()?.name ?? '') : '';
      const { algorithm, lock } = readAlgorithmLock(c);
      return { kind: 'drop-index', table, name, ...(algorithm ? { algorithm } : {}), ...(lock ? { lock } : {}) };
    }
    case 'VIEW':
      readNames();
      return { kind: 'drop-view', names, ifExists };
    case 'PROCEDURE':
    case 'FUNCTION':
      return {
        kind: 'drop-routine',
        routine: what === 'PROCEDURE' ? 'procedure' : 'function',
        name: c.name()?.name ?? '',
        ifExists,
      };
    case 'TRIGGER':
      return { kind: 'drop-trigger', name: c.name()?.name ?? '', ifExists };
    case 'EVENT':
      return { kind: 'event', verb: 'drop', name: c.name()?.name ?? '', ifExists };
    case 'DATABASE':
    case 'SCHEMA':
      return { kind: 'drop-schema', name: c.name()?.name ?? '', ifExists };
    case 'SEQUENCE':
      return { kind: 'sequence', verb: 'drop', name: c.name()?.name ?? '' };
    default:
      return { kind: 'revoke', what: `drops ${what.toLowerCase()} ${shorten(c.slice(c.pos, c.end))}` };
  }
}

function readAlter(c: Cursor): Action | undefined {
  c.acceptAny('ONLINE', 'OFFLINE');
  c.accept('IGNORE');
  if (c.accept('TABLE')) {
    c.accept('IF', 'EXISTS');
    const table = c.name()?.name;
    if (table === undefined) return undefined;
    return { kind: 'alter-table', table, clauses: readAlterClauses(c, c.pos, c.end) };
  }
  skipCreateOptions(c);
  const what = c.acceptAny(
    'VIEW',
    'PROCEDURE',
    'FUNCTION',
    'EVENT',
    'DATABASE',
    'SCHEMA',
    'USER',
    'SEQUENCE',
    'TABLESPACE',
    'SERVER',
    'LOGFILE',
    'INSTANCE',
    'RESOURCE',
  );
  if (!what) return undefined;
  const name = c.name()?.name ?? '';
  switch (what) {
    case 'VIEW':
      return { kind: 'create-view', name, orReplace: false, alter: true };
    case 'PROCEDURE':
    case 'FUNCTION':
      // Only SQL SECURITY changes what the routine may do; COMMENT and the like change nothing.
      return hasTopLevel(c, 'SECURITY')
        ? { kind: 'alter-routine', routine: what === 'PROCEDURE' ? 'procedure' : 'function', name }
        : { kind: 'neutral', what: 'routine comment' };
    case 'EVENT':
      return { kind: 'event', verb: 'alter', name };
    case 'USER':
      return { kind: 'revoke', what: `alters user ${name}` };
    case 'SEQUENCE':
      return { kind: 'sequence', verb: 'alter', name };
    default:
      return { kind: 'neutral', what: `ALTER ${what}` };
  }
}

/**
 * The keyword-level classifier: reads what a statement does from its tokens when node-sql-parser
 * cannot parse it. Statements it cannot read come back as `unknown`.
 */
export function readStatement(tokens: readonly Token[], text: string): Action[] {
  const c = new Cursor(tokens, text);
  const head = c.word();
  if (!head)
    return tokens.length === 0
      ? [{ kind: 'neutral', what: 'empty' }]
      : [{ kind: 'unknown', why: 'does not start with a keyword' }];
  c.pos++;
  let action: Action | undefined;
  switch (head) {
    case 'CREATE':
      action = readCreate(c);
      break;
    case 'DROP':
      action = readDrop(c);
      break;
    case 'ALTER':
      action = readAlter(c);
      break;
    case 'RENAME': {
      if (c.accept('USER')) {
        action = { kind: 'revoke', what: `renames user ${shorten(c.slice(c.pos, c.end))}` };
        break;
      }
      if (!c.acceptAny('TABLE', 'TABLES')) break;
      const pairs: [string, string][] = [];
      for (;;) {
        const from = c.name()?.name;
        const to = c.accept('TO') ? c.name()?.name : undefined;
        if (from === undefined || to === undefined) return [{ kind: 'unknown', why: 'RENAME TABLE' }];
        pairs.push([from, to]);
        if (!c.accept(',')) break;
      }
      action = { kind: 'rename-table', pairs };
      break;
    }
    case 'TRUNCATE': {
      c.accept('TABLE');
      const t = c.name()?.name;
      if (t !== undefined) action = { kind: 'truncate', tables: [t] };
      break;
    }
    case 'INSERT':
    case 'REPLACE': {
      while (c.acceptAny('LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE'));
      c.accept('INTO');
      const t = c.name()?.name;
      if (t === undefined) break;
      action = {
        kind: 'insert',
        table: t,
        upsert: hasTopLevel(c, 'ON', 'DUPLICATE', 'KEY', 'UPDATE'),
        replace: head === 'REPLACE',
      };
      break;
    }
    case 'LOAD': {
      const replace = hasTopLevel(c, 'REPLACE');
      while (!c.done && !c.at('TABLE')) c.pos++;
      c.accept('TABLE');
      const t = c.name()?.name;
      if (t !== undefined) action = { kind: 'insert', table: t, upsert: false, replace };
      break;
    }
    case 'UPDATE':
    case 'DELETE': {
      const read = head === 'UPDATE' ? readUpdate(c) : readDelete(c);
      // Without a table the statement was not read (or is not SQL): it stays unknown.
      if ('tables' in read && read.tables.length > 0) action = read;
      break;
    }
    case 'CALL': {
      const n = c.name();
      if (n) action = { kind: 'call', name: n.name };
      break;
    }
    case 'GRANT':
      action = { kind: 'grant' };
      break;
    case 'REVOKE':
      action = { kind: 'revoke', what: `revokes ${shorten(c.slice(c.pos, c.end))}` };
      break;
    case 'OPTIMIZE': {
      c.acceptAny('NO_WRITE_TO_BINLOG', 'LOCAL');
      c.accept('TABLE');
      const tables: string[] = [];
      for (;;) {
        const n = c.name();
        if (n) tables.push(n.name);
        if (!c.accept(',')) break;
      }
      action = { kind: 'optimize', tables };
      break;
    }
    case 'EXECUTE':
      action = { kind: 'unknown', why: 'runs a prepared statement whose text is built at run time' };
      break;
    case 'BEGIN':
      action =
        c.done || c.at('WORK')
          ? { kind: 'neutral', what: 'BEGIN' }
          : { kind: 'unknown', why: 'runs an anonymous compound statement (BEGIN NOT ATOMIC)' };
      break;
    default:
      if (NEUTRAL_HEADS.has(head)) action = { kind: 'neutral', what: head };
  }
  return [action ?? { kind: 'unknown', why: `${head} statement` }];
}

/** Reads the `ALGORITHM=` and `LOCK=` options that may trail CREATE INDEX and DROP INDEX. */
function readAlgorithmLock(c: Cursor): { algorithm?: string; lock?: string } {
  const found: { algorithm?: string; lock?: string } = {};
  while (!c.done) {
    if (c.accept('ALGORITHM')) {
      c.accept('=');
      found.algorithm = c.next()?.value.toUpperCase();
    } else if (c.accept('LOCK')) {
      c.accept('=');
      found.lock = c.next()?.value.toUpperCase();
    } else c.pos++;
  }
  return found;
}

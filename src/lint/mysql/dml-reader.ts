import type { Action } from './actions.js';
import type { Cursor } from './cursor.js';

// Words that end a table reference list, and words that join tables inside one.
const TABLE_END = new Set(['SET', 'WHERE', 'ORDER', 'LIMIT', 'USING', 'VALUES', 'VALUE', 'SELECT', 'PARTITION']);
const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'NATURAL', 'STRAIGHT_JOIN', 'OUTER']);

/** The table names of a table reference list, up to SET / WHERE / ... (joins included). */
function tableRefs(c: Cursor): { tables: string[]; aliases: Map<string, string> } {
  const tables: string[] = [];
  const aliases = new Map<string, string>();
  // One `name [AS] alias` reference.
  const reference = (): void => {
    const t = c.name();
    if (!t) return;
    tables.push(t.name);
    c.accept('AS');
    const w = c.word();
    if (c.peek()?.kind !== 'punct' && !TABLE_END.has(w) && !JOIN_WORDS.has(w) && w !== 'ON') {
      const alias = c.simpleName();
      if (alias) aliases.set(alias.toLowerCase(), t.name);
    }
  };
  while (!c.done && !TABLE_END.has(c.word())) {
    if (c.at('(')) c.group();
    else if (c.accept('ON')) {
      // A join condition: skip it up to the next join, list comma or the end of the references.
      while (!c.done && !TABLE_END.has(c.word()) && !JOIN_WORDS.has(c.word()) && !c.at(',')) {
        if (c.at('(')) c.group();
        else c.pos++;
      }
    } else if (c.acceptAny('JOIN', 'STRAIGHT_JOIN') || c.accept(',') || tables.length === 0) {
      const before = c.pos;
      reference();
      if (c.pos === before && !c.done) c.pos++;
    } else c.pos++;
  }
  return { tables, aliases };
}

/** Reads UPDATE from the word after UPDATE: the target tables and the columns SET assigns. */
export function readUpdate(c: Cursor): Action {
  while (c.acceptAny('LOW_PRIORITY', 'IGNORE'));
  const { tables, aliases } = tableRefs(c);
  const columns: { table?: string; column: string }[] = [];
  if (c.accept('SET')) {
    while (!c.done) {
      const first = c.simpleName();
      if (first === undefined) break;
      let table: string | undefined;
      let column = first;
      if (c.accept('.')) {
        table = aliases.get(first.toLowerCase()) ?? first;
        column = c.simpleName() ?? '';
      }
      columns.push({ ...(table ? { table } : {}), column });
      c.skipToComma();
      if (!c.accept(',')) break;
    }
  }
  return { kind: 'update', tables, columns };
}

/** Reads DELETE from the word after DELETE: the tables rows are deleted from, aliases resolved. */
export function readDelete(c: Cursor): Action {
  while (c.acceptAny('LOW_PRIORITY', 'QUICK', 'IGNORE'));
  if (c.accept('FROM')) {
    const { tables, aliases } = tableRefs(c);
    // DELETE FROM t1, t2 USING ...: the targets are listed before USING.
    return { kind: 'delete', tables: tables.map((t) => aliases.get(t.toLowerCase()) ?? t) };
  }
  // DELETE t1 FROM t1 JOIN t2 ...: the targets come first, maybe as aliases.
  const targets: string[] = [];
  while (!c.done && !c.at('FROM')) {
    const t = c.name();
    if (t) targets.push(t.name);
    else c.pos++;
  }
  c.accept('FROM');
  const { aliases } = tableRefs(c);
  return { kind: 'delete', tables: targets.map((t) => aliases.get(t.toLowerCase()) ?? t) };
}

/** Whether the words occur at the top level (outside parentheses) from the cursor on. */
export function hasTopLevel(c: Cursor, ...seq: string[]): boolean {
  const probe = c.sub(c.pos, c.end);
  while (!probe.done) {
    if (probe.at('(')) probe.group();
    else if (probe.at(...seq)) return true;
    else probe.pos++;
  }
  return false;
}

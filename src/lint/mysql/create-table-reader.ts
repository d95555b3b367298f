import type { Action, ColumnSpec, IndexSpec } from './actions.js';
import { readColumnDefinition, readElement } from './column-reader.js';
import { commaParts, type Cursor } from './cursor.js';

type CreateTable = Extract<Action, { kind: 'create-table' }>;

/**
 * Reads `CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name (...) [options] [AS SELECT]`
 * or `... LIKE other`, from the word after CREATE. The column list is left undefined when a
 * query or an unreadable element decides the columns.
 */
export function readCreateTable(c: Cursor): CreateTable | undefined {
  const orReplace = c.accept('OR', 'REPLACE');
  const temporary = c.accept('TEMPORARY');
  if (!c.accept('TABLE')) return undefined;
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  const table = c.name()?.name;
  if (table === undefined) return undefined;
  const base = { kind: 'create-table', table, ifNotExists, temporary, ...(orReplace ? { orReplace } : {}) } as const;
  if (c.accept('LIKE') || (c.at('(', 'LIKE') && c.accept('(', 'LIKE'))) {
    const like = c.name()?.name;
    return { ...base, indexes: [], ...(like ? { like } : {}) };
  }
  const g = c.group();
  if (!g) return { ...base, indexes: [] };
  const columns: ColumnSpec[] = [];
  const indexes: { name?: string; index: IndexSpec }[] = [];
  let complete = true;
  for (const [a, b] of commaParts(c, g.from, g.to)) {
    const part = c.sub(a, b);
    const element = readElement(part);
    if (element) {
      if (element.kind === 'index')
        indexes.push({ ...(element.name ? { name: element.name } : {}), index: element.index });
      continue;
    }
    if (part.at('PERIOD', 'FOR')) continue;
    const name = part.simpleName();
    if (name === undefined) {
      complete = false;
      continue;
    }
    const { column } = readColumnDefinition(part, name);
    columns.push(column);
    if (column.primaryKey) indexes.push({ index: { unique: true, primary: true, columns: [name] } });
    else if (column.unique) indexes.push({ name, index: { unique: true, primary: false, columns: [name] } });
  }
  // A trailing query adds its own columns to the ones listed.
  while (!c.done) {
    if (c.at('SELECT') || c.at('AS') || c.at('WITH') || c.at('(', 'SELECT')) {
      complete = false;
      break;
    }
    c.pos++;
  }
  return { ...base, indexes, ...(complete ? { columns } : {}) };
}

import type { Statement } from '../../sql/index.js';
import { isTempVariant } from './context.js';
import type { Effect, PTable, SchemaModel } from './model.js';
import type { Scratch } from './scratch.js';
import { keyOf } from './schema.js';
import { readStatement, type StatementText } from './statement-text.js';
import { withConstraint, withNotNull, withoutConstraint, withoutNotNull } from './table-text.js';

/** One statement after the scratch database ran it. */
export interface Step {
  statement: Statement;
  text: StatementText;
  /** SQLite's error when it refused the statement. */
  error?: string;
  /** The table the statement names, as it stood before the statement ran. */
  table?: PTable;
  /** What it did to the schema; undefined when nothing changed. */
  effect?: Effect;
  /** INSERT ... SELECT: the copy of rows, with whose rows the source held at that moment. */
  copy?: { target: PTable; source: PTable; holds: string | null };
}

// Statements that change no schema and that the scratch must not run: transaction control would
// fight the replay, VACUUM INTO writes files, and foreign key enforcement stays off (no rows here).
const NOT_RUN = new Set(['transaction', 'vacuum', 'analyze', 'reindex']);
const NOT_RUN_PRAGMAS = new Set(['foreign_keys', 'defer_foreign_keys', 'query_only']);

/** ALTER TABLE forms newer than the scratch's SQLite (3.53: constraints and NOT NULL), applied by editing the table text. */
function emulate(step: Step, scratch: Scratch): string | undefined {
  const alter = step.text.alter;
  const table = step.table;
  if (!alter || !table) return undefined;
  const sql = table.info.sql;
  let next: string | undefined;
  let missing: string;
  switch (alter.kind) {
    case 'set-not-null':
      next = withNotNull(sql, alter.column);
      missing = `no such column: ${alter.column}`;
      break;
    case 'drop-not-null':
      next = withoutNotNull(sql, alter.column);
      missing = `no such column: ${alter.column}`;
      break;
    case 'add-constraint':
      next = withConstraint(sql, alter.clause);
      missing = 'cannot add the constraint';
      break;
    case 'drop-constraint':
      next = withoutConstraint(sql, alter.name);
      missing = `no such constraint: ${alter.name}`;
      break;
    default:
      return undefined;
  }
  if (next === undefined) return missing;
  return scratch.rewriteTable(table.name, next) ?? '';
}

function recordCopy(step: Step, model: SchemaModel): void {
  const shape = step.text.insert;
  if (!shape?.items || !shape.source || !step.text.target) return;
  const target = model.table(step.text.target.name, step.text.target.schema);
  const source = model.table(shape.source.name, shape.source.schema);
  if (!target || !source || target === source) return;
  step.copy = { target, source, holds: source.holds };
  // A new table (or a scratch copy made earlier, still holding only its own name) now carries the
  // source's rows; a table with rows of its own keeps its identity.
  const scratchCopy =
    target.holds !== null &&
    keyOf(target.holds) === keyOf(target.name) &&
    source.holds !== null &&
    isTempVariant(target.name, source.holds);
  if (source.holds !== null && (target.holds === null || scratchCopy)) target.holds = source.holds;
  const visible = (t: PTable): string[] => t.info.columns.filter((c) => c.hidden === 0).map((c) => c.name);
  const columns = shape.columns ?? visible(target);
  const items = shape.items.length === 1 && shape.items[0] === '*' ? visible(source) : shape.items;
  const copiedFrom = new Map<string, string>();
  columns.forEach((column, i) => {
    const item = items[i];
    if (item && item !== '*') copiedFrom.set(column, item);
  });
  target.copiedFrom = copiedFrom;
}

/** Runs one statement on the scratch database and records what it did. */
export function applyStatement(
  statement: Statement,
  scratch: Scratch,
  model: SchemaModel,
  version: { main: number; temp: number },
): Step {
  const text = readStatement(statement.text);
  const step: Step = { statement, text };
  if (
    text.target &&
    (text.verb === 'alter' || text.verb === 'update' || text.verb === 'delete' || text.verb === 'insert')
  ) {
    step.table = model.table(text.target.name, text.target.schema);
  }
  if (NOT_RUN.has(text.verb) || (text.verb === 'pragma' && NOT_RUN_PRAGMAS.has(text.pragma ?? ''))) return step;
  if (text.verb === 'attach') {
    // Never open the file the migration names: attach an empty in-memory schema under its name.
    if (text.attachAs) step.error = scratch.run(`ATTACH ':memory:' AS "${text.attachAs.replaceAll('"', '""')}"`);
    return step;
  }
  const rows = text.verb === 'insert' || text.verb === 'update' || text.verb === 'delete' || text.verb === 'select';
  step.error = scratch.run(statement.text, rows);
  if (step.error !== undefined && /syntax error/.test(step.error)) {
    const emulated = emulate(step, scratch);
    if (emulated === '') step.error = undefined;
    else if (emulated !== undefined) step.error = emulated;
  }
  const now = scratch.versions();
  if (now.main !== version.main || now.temp !== version.temp) {
    const how = text.verb === 'create' || text.verb === 'drop' ? text.verb : 'full';
    step.effect = model.refresh(
      step.error === undefined && !scratch.ranSeveral ? how : 'full',
      now.main !== version.main,
      now.temp !== version.temp,
    );
    version.main = now.main;
    version.temp = now.temp;
  }
  // The copy's intent stands even when SQLite refused it (a constraint the copied rows break).
  if (text.verb === 'insert' || (step.error === undefined && text.verb === 'create')) recordCopy(step, model);
  if (step.error === undefined && step.table && text.alter?.kind === 'add-column') {
    (step.table.addedColumns ??= new Set()).add(keyOf(text.alter.column));
  }
  if (step.error === undefined && step.table && text.columnCopies?.size) {
    step.table.columnCopies ??= new Map();
    for (const [to, from] of text.columnCopies) step.table.columnCopies.set(keyOf(to), from);
  }
  return step;
}

/** Names a later "no such table" can blame on an earlier refused CREATE. */
export function refusedName(step: Step): string | undefined {
  return step.error !== undefined && step.text.verb === 'create' && step.text.target
    ? keyOf(step.text.target.name)
    : undefined;
}

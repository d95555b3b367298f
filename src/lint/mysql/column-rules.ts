import type { ColumnSpec, DefaultSpec, Position, TypeSpec } from './actions.js';
import { compareTypes, typeText } from './column-types.js';
import type { RuleContext } from './context.js';
import { key, type TableState } from './schema-model.js';

const STRING_TYPES = /CHAR|TEXT|ENUM|SET/;

const positionText = (p: Position): string => ('first' in p ? 'FIRST' : `AFTER ${p.after}`);

/** The default that inserts leaving the column out get; DEFAULT NULL is the same as none. */
export const effectiveDefault = (c: ColumnSpec): DefaultSpec | undefined =>
  c.default && c.default.kind !== 'null' ? c.default : undefined;

const isPrimary = (c: ColumnSpec, table: TableState | undefined): boolean =>
  !!c.primaryKey || (table?.primaryKey.includes(key(c.name)) ?? false);

/** Whether NULL can be stored: NULL unless NOT NULL is stated or the column is in the primary key. */
const acceptsNull = (c: ColumnSpec, table: TableState | undefined): boolean =>
  c.nullable !== false && !isPrimary(c, table);

/**
 * Whether a new column gets one same value in every existing row and in every insert of the
 * previous release: a default, or the implicit zero of NOT NULL. A nullable column without a
 * default is all NULL, which a unique key accepts any number of times.
 */
export const fillsOldRows = (c: ColumnSpec): boolean => c.nullable === false || effectiveDefault(c) !== undefined;

/** The checks of ADD COLUMN on an existing table. */
export function addColumnRules(
  ctx: RuleContext,
  table: string,
  c: ColumnSpec,
  position: Position | undefined,
  at?: number,
): void {
  const name = `${table}.${c.name}`;
  if (c.generated === 'stored') ctx.report('add-column-generated-stored', `adds stored generated column ${name}`, at);
  if (c.autoIncrement) ctx.report('add-column-serial', `adds AUTO_INCREMENT column ${name}`, at);
  else if (effectiveDefault(c)?.kind === 'expr')
    ctx.report(
      'add-column-volatile-default',
      `adds column ${name} with expression default ${effectiveDefault(c)?.canonical}, which copies the table`,
      at,
    );
  if (c.nullable === false && !effectiveDefault(c) && !c.autoIncrement && !c.generated)
    ctx.report('add-column-required', `adds NOT NULL column ${name} without a default`, at);
  if (c.primaryKey) ctx.report('add-primary-key', `adds column ${name} as the primary key`, at);
  else if (c.unique && !c.autoIncrement && fillsOldRows(c))
    ctx.report(
      'add-unique',
      `adds column ${name} with a UNIQUE key and a value for every existing row, so rows collide`,
      at,
    );
  if (position)
    ctx.report('add-column-position', `adds column ${name} ${positionText(position)} instead of at the end`, at);
}

function enumRules(ctx: RuleContext, name: string, before: TypeSpec, after: TypeSpec, at?: number): void {
  const old = before.values ?? [];
  const now = after.values ?? [];
  if (old.length === now.length && old.every((v, i) => v === now[i])) return;
  const kind = before.name;
  const list = (vs: readonly string[]): string => vs.map((v) => `'${v}'`).join(', ');
  if (now.length > old.length && old.every((v, i) => v === now[i])) {
    // Storage grows past one byte (ENUM over 255 values, SET by 8-member steps): the table is copied.
    const bytes = (n: number): number => (kind === 'ENUM' ? (n > 255 ? 2 : 1) : n > 32 ? 8 : Math.ceil(n / 8));
    if (bytes(old.length) !== bytes(now.length)) {
      ctx.report(
        'enum-change-values',
        `appends values to ${kind} ${name}, past its storage size, which copies the table`,
        at,
      );
      return;
    }
    ctx.report('enum-add-value', `appends ${list(now.slice(old.length))} to ${kind} ${name}`, at);
    return;
  }
  const removed = old.filter((v) => !now.includes(v));
  const inserted = now.filter((v) => !old.includes(v));
  const what = removed.length
    ? `removes ${list(removed)}${inserted.length ? ` and adds ${list(inserted)}` : ''}`
    : inserted.length
      ? `inserts ${list(inserted)} between existing values`
      : 'reorders its values';
  ctx.report('enum-change-values', `changes ${kind} ${name}: ${what}`, at);
}

/**
 * The checks of MODIFY / CHANGE on an existing column: the new definition replaces the whole old
 * one, so every attribute left out is dropped. Compared with the model when the old definition is
 * known; otherwise the statement is only flagged as a restatement.
 */
export function modifyColumnRules(
  ctx: RuleContext,
  table: string,
  oldName: string,
  after: ColumnSpec,
  position: Position | undefined,
  change: boolean,
  at?: number,
): void {
  const name = `${table}.${oldName}`;
  if (change && key(after.name) !== key(oldName))
    ctx.report('rename-column', `renames column ${name} to ${after.name}`, at);
  if (position) ctx.report('reorder-column', `moves column ${name} ${positionText(position)}`, at);
  const state = ctx.model.table(table);
  const before = state?.columns.get(key(oldName))?.spec;
  if (!before || before.uncertain || after.uncertain || !before.type || !after.type) {
    ctx.report(
      'modify-column',
      `restates column ${name} with ${change ? 'CHANGE' : 'MODIFY'}; its previous definition is unknown, so dropped NULL, DEFAULT or type details cannot be checked`,
      at,
    );
    return;
  }
  const bt = before.type;
  const nt = after.type;
  const bothLists = (bt.name === 'ENUM' || bt.name === 'SET') && bt.name === nt.name;
  if (bothLists) enumRules(ctx, name, bt, nt, at);
  if (compareTypes(bt, nt) === 'changed')
    ctx.report('alter-column-type', `changes the type of ${name} from ${typeText(bt)} to ${typeText(nt)}`, at);
  if (STRING_TYPES.test(nt.name) && STRING_TYPES.test(bt.name)) {
    const cs = (t: TypeSpec): string => [t.charset ?? '', t.collate ?? '', t.binary ? 'binary' : ''].join('/');
    if (cs(bt) !== cs(nt)) {
      const text = (t: TypeSpec): string =>
        [t.charset, t.collate, t.binary ? 'BINARY' : undefined].filter(Boolean).join(' ') || 'the table default';
      ctx.report(
        'convert-charset',
        `changes the character set or collation of ${name} from ${text(bt)} to ${text(nt)}`,
        at,
      );
    }
  }
  const wasNull = acceptsNull(before, state);
  const isNull = acceptsNull(after, state);
  if (wasNull && !isNull) ctx.report('set-not-null', `makes ${name} NOT NULL`, at);
  if (!wasNull && isNull)
    ctx.report('drop-not-null', `allows NULL in ${name} (the new definition leaves out NOT NULL)`, at);
  const bd = effectiveDefault(before);
  const nd = effectiveDefault(after);
  if (bd && !nd)
    ctx.report('drop-default', `drops the default ${bd.canonical} of ${name} (the new definition leaves it out)`, at);
  else if (bd && nd && bd.canonical !== nd.canonical)
    ctx.report('change-default', `changes the default of ${name} from ${bd.canonical} to ${nd.canonical}`, at);
  if (before.onUpdate && before.onUpdate !== after.onUpdate)
    ctx.report('modify-column', `drops or changes ON UPDATE ${before.onUpdate} of ${name}`, at);
  if (before.autoIncrement && !after.autoIncrement)
    ctx.report('modify-column', `drops AUTO_INCREMENT from ${name}`, at);
  if (!before.autoIncrement && after.autoIncrement)
    ctx.report('modify-column', `adds AUTO_INCREMENT to ${name}, which copies the table`, at);
  if (before.generated !== after.generated)
    ctx.report('alter-column-type', `changes whether ${name} is a generated column`, at);
  if (after.invisible && !before.invisible) ctx.report('column-invisible', `makes ${name} INVISIBLE`, at);
  if (after.primaryKey && !isPrimary(before, state)) ctx.report('add-primary-key', `makes ${name} the primary key`, at);
  else if (after.unique && !before.unique) ctx.report('add-unique', `adds a UNIQUE key on ${name}`, at);
}

/** ALTER COLUMN ... SET DEFAULT: E where there was no default, change-default where one existed. */
export function setDefaultRules(ctx: RuleContext, table: string, column: string, d: DefaultSpec, at?: number): void {
  const name = `${table}.${column}`;
  const before = ctx.model.column(table, column)?.spec;
  if (!before) {
    ctx.report('change-default', `sets the default of ${name} to ${d.canonical}; its previous default is unknown`, at);
    return;
  }
  const bd = effectiveDefault(before);
  if (bd && bd.canonical !== d.canonical)
    ctx.report('change-default', `changes the default of ${name} from ${bd.canonical} to ${d.canonical}`, at);
}

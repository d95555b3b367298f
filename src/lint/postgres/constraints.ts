import type { ATAlterConstraint, Constraint, IndexElem, Node, NullTest } from 'libpg-query';
import type { Ctx } from './context.js';
import { as, columnRefs, schemaOf, strings } from './nodes.js';
import type { ColumnState } from './schema.js';

const LABELS: Record<string, string> = {
  CONSTR_PRIMARY: 'pkey',
  CONSTR_UNIQUE: 'key',
  CONSTR_FOREIGN: 'fkey',
  CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'excl',
  CONSTR_NOTNULL: 'not_null',
};

const KINDS: Record<string, string> = {
  CONSTR_PRIMARY: 'primary key',
  CONSTR_UNIQUE: 'unique',
  CONSTR_FOREIGN: 'foreign key',
  CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'exclusion',
  CONSTR_NOTNULL: 'not-null',
};

/**
 * The name PostgreSQL gives an object it names itself (makeObjectName): parts joined by `_`,
 * the longer part shortened until the whole fits in 63 bytes.
 */
export function systemName(table: string, columns: readonly string[], label: string): string {
  const name1 = table.slice(table.lastIndexOf('.') + 1);
  const name2 = columns.join('_');
  let n1 = name1.length;
  let n2 = name2.length;
  const room = 63 - label.length - 1 - (name2 ? 1 : 0);
  while (n1 + n2 > room) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return `${name1.slice(0, n1)}${name2 ? `_${name2.slice(0, n2)}` : ''}_${label}`;
}

/** The model key of an index: its name in the schema of its table. */
export function indexKey(table: string, name: string): string {
  const schema = schemaOf(table);
  return schema ? `${schema}.${name}` : name;
}

/** The columns a constraint covers: keys, foreign key columns, exclusion elements or the columns a check reads. */
export function constraintColumns(c: Constraint, inlineColumn?: string): string[] {
  if (inlineColumn !== undefined) return [inlineColumn];
  switch (c.contype) {
    case 'CONSTR_FOREIGN':
      return strings(c.fk_attrs);
    case 'CONSTR_CHECK':
      return [...new Set(columnRefs(c.raw_expr))];
    case 'CONSTR_EXCLUSION':
      return (c.exclusions ?? []).flatMap((pair) => {
        const elem = as<IndexElem>(as<{ items?: Node[] }>(pair, 'List')?.items?.[0], 'IndexElem');
        return elem?.name ? [elem.name] : columnRefs(elem?.expr);
      });
    default:
      return strings(c.keys);
  }
}

/** Records a constraint in the model and returns its key (`table.name`); unique and primary keys bring their index. */
export function recordConstraint(ctx: Ctx, table: string, c: Constraint, inlineColumn?: string): string {
  let columns = constraintColumns(c, inlineColumn);
  const name = c.conname ?? systemName(table, nameColumns(c, columns), LABELS[c.contype ?? ''] ?? 'con');
  const key = `${table}.${name}`;
  // USING INDEX names no columns: they are the index's.
  if (c.indexname && columns.length === 0)
    columns = ctx.schema.indexes.get(indexKey(table, c.indexname))?.columns ?? [];
  ctx.schema.constraints.set(key, {
    type: c.contype ?? '',
    valid: !c.skip_validation,
    columns,
    notNullOf: notNullCheckOf(c),
  });
  if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION') {
    const index = c.indexname ?? name;
    const known = ctx.schema.indexes.get(indexKey(table, index));
    ctx.schema.indexes.set(indexKey(table, name), {
      table,
      unique: c.contype !== 'CONSTR_EXCLUSION',
      columns: known?.columns ?? columns,
    });
    if (c.indexname && c.indexname !== name) ctx.schema.indexes.delete(indexKey(table, c.indexname));
  }
  return key;
}

// PostgreSQL names a primary key after the table alone, and a check after its column only when it reads one.
function nameColumns(c: Constraint, columns: string[]): string[] {
  if (c.contype === 'CONSTR_PRIMARY') return [];
  if (c.contype === 'CONSTR_CHECK') return columns.length === 1 ? columns : [];
  return columns;
}

// `CHECK (col IS NOT NULL)`: once validated, SET NOT NULL on col skips its scan (PostgreSQL 12+).
function notNullCheckOf(c: Constraint): string | undefined {
  if (c.contype !== 'CONSTR_CHECK') return undefined;
  const test = as<NullTest>(c.raw_expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const refs = columnRefs(test.arg);
  return refs.length === 1 ? refs[0] : undefined;
}

/** ALTER TABLE ... ADD CONSTRAINT (R1-R8, K15 for PostgreSQL 18 named NOT NULL). */
export function addConstraint(ctx: Ctx, table: string, c: Constraint, at: number | undefined): void {
  ctx.adds();
  const key = recordConstraint(ctx, table, c);
  const name = key.slice(table.length + 1);
  if (ctx.freshTable(table)) return;
  ctx.fresh.add('constraint', key);
  // A NOT ENFORCED check or foreign key (PostgreSQL 18) restricts nothing.
  if ((c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_FOREIGN') && !c.is_enforced) return;
  if (c.skip_validation) ctx.session.file.notValid.add(key);
  const columns = ctx.schema.constraints.get(key)?.columns ?? [];
  const onNew = ctx.allFresh(table, columns);
  const cols = columns.join(', ');
  switch (c.contype) {
    case 'CONSTR_FOREIGN': {
      const target = c.pktable?.relname ?? '?';
      if (onNew) {
        if (!c.skip_validation)
          ctx.hit(
            'add-column-foreign-key',
            `adds foreign key ${name} on new column(s) ${table}(${cols}) referencing ${target}`,
            at,
          );
      } else if (c.skip_validation)
        ctx.hit('add-constraint-not-valid', `adds foreign key ${name} on ${table}(${cols}) NOT VALID`, at);
      else ctx.hit('add-foreign-key', `adds foreign key ${name} on ${table}(${cols}) referencing ${target}`, at);
      return;
    }
    case 'CONSTR_CHECK':
      if (onNew) return;
      if (c.skip_validation) ctx.hit('add-constraint-not-valid', `adds check ${name} on ${table} NOT VALID`, at);
      else ctx.hit('add-check', `adds check ${name} on ${table}`, at);
      return;
    case 'CONSTR_UNIQUE':
      // USING INDEX only renames a unique index into a constraint: the index already enforced it.
      if (c.indexname) return;
      if (onNew)
        ctx.hit(
          'index-not-concurrent',
          `builds unique index ${name} on new column(s) ${table}(${cols}) while blocking writes`,
          at,
        );
      else ctx.hit('add-unique', `adds unique constraint ${name} on ${table}(${cols})`, at);
      return;
    case 'CONSTR_PRIMARY':
      primaryKey(ctx, table, c, name, onNew, at);
      return;
    case 'CONSTR_EXCLUSION':
      if (onNew)
        ctx.hit(
          'index-not-concurrent',
          `builds exclusion constraint ${name} on new column(s) of ${table} while blocking writes`,
          at,
        );
      else ctx.hit('add-exclusion', `adds exclusion constraint ${name} on ${table}`, at);
      return;
    case 'CONSTR_NOTNULL':
      if (onNew) return;
      if (c.skip_validation)
        ctx.hit('add-constraint-not-valid', `adds NOT NULL constraint ${name} on ${table}.${cols} NOT VALID`, at);
      else notNull(ctx, table, columns[0] ?? '', at);
      return;
  }
}

function primaryKey(
  ctx: Ctx,
  table: string,
  c: Constraint,
  name: string,
  onNew: boolean,
  at: number | undefined,
): void {
  const rel = ctx.schema.relations.get(table);
  const columns = ctx.schema.constraints.get(`${table}.${name}`)?.columns ?? [];

  const nullable = columns.filter((col) => !rel?.columns.get(col)?.notNull && !ctx.freshColumn(table, col));
  for (const col of columns) {
    const state = rel?.columns.get(col);
    if (state) state.notNull = true;
  }
  if (c.indexname) {
    // The unique index exists; only the implicit NOT NULL can scan and tighten writes.
    if (columns.length === 0)
      ctx.hit(
        'set-not-null',
        `adds primary key ${name} using index ${c.indexname}, which makes its columns NOT NULL`,
        at,
      );
    else if (nullable.length)
      ctx.hit(
        'set-not-null',
        `adds primary key ${name} using index ${c.indexname}, which makes ${nullable.map((col) => `${table}.${col}`).join(', ')} NOT NULL`,
        at,
      );
    return;
  }
  if (onNew)
    ctx.hit(
      'index-not-concurrent',
      `builds primary key ${name} on new column(s) ${table}(${columns.join(', ')}) while blocking writes`,
      at,
    );
  else ctx.hit('add-primary-key', `adds primary key ${name} on ${table}(${columns.join(', ')})`, at);
}

/** SET NOT NULL, or a validated named NOT NULL constraint, on an existing column (K15). */
export function notNull(ctx: Ctx, table: string, column: string, at: number | undefined): void {
  const state: ColumnState | undefined = ctx.schema.column(table, column);
  if (ctx.freshColumn(table, column) || state?.notNull) {
    if (state) state.notNull = true;
    return;
  }
  if (state) state.notNull = true;
  const checked = [...ctx.schema.constraints].some(
    ([key, c]) => key.startsWith(`${table}.`) && c.valid && c.notNullOf === column,
  );
  if (checked) ctx.hit('set-not-null-checked', `makes ${table}.${column} NOT NULL, covered by a validated check`, at);
  else ctx.hit('set-not-null', `makes ${table}.${column} NOT NULL`, at);
}

/** DROP CONSTRAINT (R9, R10). */
export function dropConstraint(ctx: Ctx, table: string, name: string, cascade: boolean, at: number | undefined): void {
  const key = `${table}.${name}`;
  const state = ctx.schema.constraints.get(key);
  ctx.schema.constraints.delete(key);
  if (
    state &&
    (state.type === 'CONSTR_PRIMARY' || state.type === 'CONSTR_UNIQUE' || state.type === 'CONSTR_EXCLUSION')
  ) {
    ctx.schema.indexes.delete(indexKey(table, name));
  }
  if (ctx.freshTable(table) || ctx.fresh.has('constraint', key)) {
    ctx.fresh.delete('constraint', key);
    return;
  }
  const kind = state ? `${KINDS[state.type] ?? ''} ` : '';
  ctx.hit('drop-constraint', `drops ${kind}constraint ${name} on ${table}${cascade ? ' with CASCADE' : ''}`, at);
}

/** VALIDATE CONSTRAINT (R3): neutral, unless the NOT VALID constraint was added in this same transaction. */
export function validateConstraint(ctx: Ctx, table: string, name: string, at: number | undefined): void {
  const key = `${table}.${name}`;
  const state = ctx.schema.constraints.get(key);
  if (state) {
    state.valid = true;
    if (state.type === 'CONSTR_NOTNULL') {
      const column = ctx.schema.column(table, state.columns[0] ?? '');
      if (column) column.notNull = true;
    }
  }
  const file = ctx.session.file;
  if (file.notValid.has(key) && !file.outsideTransaction) {
    ctx.hit('validate-in-transaction', `validates ${name} on ${table} in the transaction that added it NOT VALID`, at);
  }
}

/** ALTER CONSTRAINT (R12): deferrability moves when violations show; enforceability tightens or relaxes. */
export function alterConstraint(ctx: Ctx, table: string, change: ATAlterConstraint, at: number | undefined): void {
  const name = change.conname ?? '';
  if (ctx.freshTable(table) || ctx.fresh.has('constraint', `${table}.${name}`)) return;
  if (change.alterDeferrability) {
    const how = change.deferrable
      ? change.initdeferred
        ? 'DEFERRABLE INITIALLY DEFERRED'
        : 'DEFERRABLE'
      : 'NOT DEFERRABLE';
    ctx.hit('constraint-deferrable', `makes constraint ${name} on ${table} ${how}`, at);
  }
  if (change.alterEnforceability) {
    if (change.is_enforced) ctx.hit('add-foreign-key', `enforces constraint ${name} on ${table} again`, at);
    else ctx.hit('drop-constraint', `stops enforcing constraint ${name} on ${table}`, at);
  }
}

import type { Clause, ColumnSpec, IndexSpec } from './actions.js';
import { addColumnRules, effectiveDefault, fillsOldRows, modifyColumnRules, setDefaultRules } from './column-rules.js';
import type { RuleContext } from './context.js';
import { key } from './schema-model.js';

const COPY_ALGORITHMS = new Set(['COPY']);
const BLOCKING_LOCKS = new Set(['SHARED', 'EXCLUSIVE']);

/** Reports an index built on an existing table: unique, primary, or FULLTEXT/SPATIAL (which block writes). */
export function indexRules(
  ctx: RuleContext,
  table: string,
  name: string | undefined,
  index: IndexSpec,
  at?: number,
): void {
  if (ctx.freshTable(table)) return;
  const cols = `(${index.columns.join(', ')})`;
  const label = name ? `${name} ${cols}` : cols;
  if (index.primary) ctx.report('add-primary-key', `adds primary key ${cols} to ${table}`, at);
  else if (index.unique) {
    // A key over columns this release added only sees their NULLs, unless they carry a value for old rows.
    const risky = index.columns.some((c) => {
      const spec = ctx.model.column(table, c)?.spec;
      return !ctx.freshColumn(table, c) || !spec || fillsOldRows(spec);
    });
    if (risky) ctx.report('add-unique', `adds unique key ${label} to ${table}`, at);
  } else if (index.special)
    ctx.report(
      'table-rewrite',
      `builds ${index.special} index ${label} on ${table}, which blocks writes (LOCK=SHARED; the first FULLTEXT index also rebuilds the table)`,
      at,
    );
}

/** Reports ALGORITHM=COPY and LOCK=SHARED/EXCLUSIVE on an existing table. */
export function algorithmRules(
  ctx: RuleContext,
  table: string,
  algorithm: string | undefined,
  lock: string | undefined,
  at?: number,
): void {
  if (ctx.freshTable(table)) return;
  if (algorithm && COPY_ALGORITHMS.has(algorithm))
    ctx.report('mysql-copy-algorithm', `asks for ALGORITHM=${algorithm} on ${table}`, at);
  if (lock && BLOCKING_LOCKS.has(lock)) ctx.report('mysql-copy-algorithm', `asks for LOCK=${lock} on ${table}`, at);
}

function recordIndex(ctx: RuleContext, table: string, name: string | undefined, index: IndexSpec): void {
  const state = ctx.model.ensureTable(table);
  ctx.model.addIndex(state, name, index);
  if (name) ctx.fresh.add('index', `${key(table)}.${key(name)}`);
}

function setColumn(ctx: RuleContext, table: string, spec: ColumnSpec): void {
  ctx.model.ensureTable(table).columns.set(key(spec.name), { name: spec.name, spec });
}

/** Reports the clauses of one ALTER TABLE and applies them to the model. */
export function alterTableRules(ctx: RuleContext, tableName: string, clauses: readonly Clause[]): void {
  let table = tableName;
  for (const clause of clauses) {
    const at = clause.at;
    const isFresh = ctx.freshTable(table);
    switch (clause.kind) {
      case 'add-column': {
        const exists = ctx.model.column(table, clause.column.name) !== undefined;
        if (clause.ifNotExists && exists) break;
        if (!isFresh) addColumnRules(ctx, table, clause.column, clause.position, at);
        setColumn(ctx, table, clause.column);
        if (clause.column.primaryKey)
          ctx.model.addIndex(ctx.model.ensureTable(table), undefined, {
            unique: true,
            primary: true,
            columns: [clause.column.name],
          });
        ctx.fresh.add('column', `${key(table)}.${key(clause.column.name)}`);
        break;
      }
      case 'drop-column': {
        const state = ctx.model.table(table);
        const known = state?.columns.has(key(clause.name));
        if (clause.ifExists && state?.complete && !known) break;
        if (!ctx.freshColumn(table, clause.name)) ctx.report('drop-column', `drops column ${table}.${clause.name}`, at);
        state?.columns.delete(key(clause.name));
        ctx.fresh.delete('column', `${key(table)}.${key(clause.name)}`);
        break;
      }
      case 'modify-column': {
        if (!ctx.freshColumn(table, clause.name))
          modifyColumnRules(ctx, table, clause.name, clause.column, clause.position, clause.change, at);
        const state = ctx.model.ensureTable(table);
        if (key(clause.name) !== key(clause.column.name)) {
          state.columns.delete(key(clause.name));
          ctx.fresh.rename('column', `${key(table)}.${key(clause.name)}`, `${key(table)}.${key(clause.column.name)}`);
        }
        setColumn(ctx, table, clause.column);
        break;
      }
      case 'rename-column': {
        if (!ctx.freshColumn(table, clause.from))
          ctx.report('rename-column', `renames column ${table}.${clause.from} to ${clause.to}`, at);
        const state = ctx.model.ensureTable(table);
        const col = state.columns.get(key(clause.from));
        state.columns.delete(key(clause.from));
        state.columns.set(key(clause.to), {
          name: clause.to,
          ...(col?.spec ? { spec: { ...col.spec, name: clause.to } } : {}),
        });
        ctx.fresh.rename('column', `${key(table)}.${key(clause.from)}`, `${key(table)}.${key(clause.to)}`);
        break;
      }
      case 'set-default': {
        if (!ctx.freshColumn(table, clause.name)) setDefaultRules(ctx, table, clause.name, clause.default, at);
        const col = ctx.model.column(table, clause.name);
        if (col?.spec) col.spec = { ...col.spec, default: clause.default };
        break;
      }
      case 'drop-default': {
        const col = ctx.model.column(table, clause.name);
        const had = col?.spec ? effectiveDefault(col.spec) : undefined;
        if (!ctx.freshColumn(table, clause.name) && (had || !col?.spec))
          ctx.report(
            'drop-default',
            `drops the default${had ? ` ${had.canonical}` : ''} of ${table}.${clause.name}`,
            at,
          );
        if (col?.spec) {
          const { default: _dropped, ...rest } = col.spec;
          col.spec = rest;
        }
        break;
      }
      case 'visibility': {
        if (clause.invisible && !ctx.freshColumn(table, clause.name))
          ctx.report('column-invisible', `makes ${table}.${clause.name} INVISIBLE`, at);
        const col = ctx.model.column(table, clause.name);
        if (col?.spec) col.spec = { ...col.spec, invisible: clause.invisible };
        break;
      }
      case 'add-index':
        indexRules(ctx, table, clause.name, clause.index, at);
        recordIndex(ctx, table, clause.name, clause.index);
        break;
      case 'add-foreign-key':
        if (!isFresh && !clause.columns.every((c) => ctx.freshColumn(table, c)))
          ctx.report(
            'add-foreign-key',
            `adds foreign key ${clause.name ? `${clause.name} ` : ''}(${clause.columns.join(', ')}) on ${table}${clause.references ? ` referencing ${clause.references}` : ''}`,
            at,
          );
        if (clause.name) ctx.fresh.add('constraint', `${key(table)}.${key(clause.name)}`);
        break;
      case 'add-check':
        if (clause.enforced && !isFresh)
          ctx.report('add-check', `adds CHECK constraint ${clause.name ? `${clause.name} ` : ''}to ${table}`, at);
        if (clause.name) ctx.fresh.add('constraint', `${key(table)}.${key(clause.name)}`);
        break;
      case 'alter-check':
        if (isFresh || ctx.fresh.has('constraint', `${key(table)}.${key(clause.name)}`)) break;
        if (clause.enforced)
          ctx.report('add-check', `starts enforcing CHECK constraint ${clause.name} on ${table}`, at);
        else ctx.report('drop-constraint', `stops enforcing CHECK constraint ${clause.name} on ${table}`, at);
        break;
      case 'drop-constraint': {
        const name = clause.name ?? '';
        if (
          isFresh ||
          (name && ctx.fresh.has('constraint', `${key(table)}.${key(name)}`)) ||
          (name && ctx.fresh.has('index', `${key(table)}.${key(name)}`))
        )
          break;
        const what =
          clause.what === 'primary key'
            ? `the primary key of ${table}`
            : `${clause.what === 'check' ? 'CHECK constraint' : clause.what} ${name} of ${table}`;
        ctx.report('drop-constraint', `drops ${what}`, at);
        if (clause.what === 'primary key') ctx.model.ensureTable(table).primaryKey = [];
        break;
      }
      case 'drop-index': {
        const state = ctx.model.table(table);
        if (clause.ifExists && state?.complete && !state.indexes.has(key(clause.name))) break;
        if (!ctx.freshIndex(table, clause.name)) ctx.report('drop-index', `drops index ${clause.name} of ${table}`, at);
        state?.indexes.delete(key(clause.name));
        break;
      }
      case 'rename-index': {
        if (!ctx.freshIndex(table, clause.from))
          ctx.report('rename-constraint', `renames index ${clause.from} of ${table} to ${clause.to}`, at);
        const state = ctx.model.table(table);
        const index = state?.indexes.get(key(clause.from));
        if (state && index) {
          state.indexes.delete(key(clause.from));
          state.indexes.set(key(clause.to), index);
        }
        ctx.fresh.rename('index', `${key(table)}.${key(clause.from)}`, `${key(table)}.${key(clause.to)}`);
        break;
      }
      case 'index-visibility':
        if (clause.invisible && !ctx.freshIndex(table, clause.name))
          ctx.report('drop-index', `makes index ${clause.name} of ${table} INVISIBLE, so queries stop using it`, at);
        break;
      case 'rename-table':
        renameTableRules(ctx, table, clause.to, at);
        table = clause.to;
        break;
      case 'rebuild':
        if (!isFresh) ctx.report('table-rewrite', `rebuilds table ${table} (${clause.what})`, at);
        break;
      case 'charset':
        if (isFresh) break;
        if (clause.convert)
          ctx.report('convert-charset', `converts every text column of ${table} to ${clause.what}`, at);
        else
          ctx.report(
            'convert-charset',
            `changes the default character set or collation of ${table} to ${clause.what}`,
            at,
          );
        break;
      case 'auto-increment':
        if (!isFresh)
          ctx.report('alter-sequence', `sets the AUTO_INCREMENT counter of ${table} to ${clause.value}`, at);
        break;
      case 'algorithm':
        algorithmRules(ctx, table, clause.value, undefined, at);
        break;
      case 'lock':
        algorithmRules(ctx, table, undefined, clause.value, at);
        break;
      case 'drop-partition':
        if (!isFresh) ctx.report('truncate-table', `${clause.what} of ${table}, deleting their rows`, at);
        break;
      case 'neutral':
        break;
      case 'unknown':
        ctx.report(
          'unparsed',
          `cannot read the clause \`${clause.text.replace(/\s+/g, ' ').slice(0, 60)}\` of ALTER TABLE ${table}`,
          at,
        );
        break;
    }
  }
}

/** RENAME TABLE and ALTER TABLE ... RENAME: a contract change unless the table is new; views too. */
export function renameTableRules(ctx: RuleContext, from: string, to: string, at?: number): void {
  const isView = ctx.model.views.has(key(from));
  if (isView) {
    if (!ctx.fresh.has('view', key(from))) ctx.report('drop-view', `renames view ${from} to ${to}`, at);
    ctx.fresh.rename('view', key(from), key(to));
  } else if (!ctx.freshTable(from)) {
    const hit = ctx.report('rename-table', `renames table ${from} to ${to}`, at);
    ctx.renamed.set(key(from), { hits: ctx.hits, hit });
  }
  ctx.renameFreshTable(from, to);
  ctx.model.renameTable(from, to);
}

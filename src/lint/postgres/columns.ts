import type { AlterTableCmd, ColumnDef, Constraint, DefElem, Node } from 'libpg-query';
import { columnType, isWidening, sameType, showType, type ColumnType } from './column-types.js';
import { recordConstraint } from './constraints.js';
import type { Ctx } from './context.js';
import { as, exprKey } from './nodes.js';
import { columnState, readColumn, relationFor } from './tables.js';
import { volatileCall } from './volatility.js';

/** ADD COLUMN (K1-K10): additive; the hits are about how it is added to an existing table. */
export function addColumn(ctx: Ctx, table: string, def: ColumnDef, ifNotExists: boolean, at: number | undefined): void {
  ctx.adds();
  const f = readColumn(def);
  if (ifNotExists && ctx.schema.column(table, f.name)) return;
  relationFor(ctx, table).columns.set(f.name, columnState(f));
  const onNewTable = ctx.freshTable(table);
  if (!onNewTable) ctx.fresh.add('column', `${table}.${f.name}`);
  for (const c of f.constraints) {
    const key = recordConstraint(ctx, table, c, f.name);
    if (!onNewTable) ctx.fresh.add('constraint', key);
  }
  if (onNewTable) return;
  const col = `${table}.${f.name}`;
  const hasDefault = f.default !== undefined && !as<{ isnull?: boolean }>(f.default, 'A_Const')?.isnull;
  if (f.serial || f.identity)
    ctx.hit('add-column-serial', `adds ${f.serial ?? 'identity'} column ${col}, which numbers every existing row`, at);
  else if (f.generated === 's') ctx.hit('add-column-generated-stored', `adds stored generated column ${col}`, at);
  else if (hasDefault) {
    const volatile = volatileCall(f.default);
    if (volatile)
      ctx.hit(
        'add-column-volatile-default',
        `adds column ${col} with volatile default ${volatile}(), which rewrites the table`,
        at,
      );
  }
  if (f.notNull && !hasDefault && !f.serial && !f.identity && !f.generated) {
    ctx.hit('add-column-required', `adds NOT NULL column ${col} without a default`, at);
  }
  if (f.primary) ctx.hit('add-primary-key', `adds column ${col} as the primary key`, at);
  else if (f.unique)
    ctx.hit('index-not-concurrent', `builds a unique index for new column ${col} while blocking writes`, at);
  if (f.references)
    ctx.hit('add-column-foreign-key', `adds column ${col} referencing ${f.references.relname ?? '?'}`, at);
  if (f.type.name === 'json' && !f.type.array) ctx.hit('add-column-json', `adds json column ${col}`, at);
}

/** DROP COLUMN (K11); on a composite type it drops an attribute (Y6). */
export function dropColumn(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const name = cmd.name ?? '';
  const fresh = ctx.freshColumn(table, name);
  ctx.schema.relations.get(table)?.columns.delete(name);
  ctx.fresh.delete('column', `${table}.${name}`);
  if (fresh) return;
  ctx.hit('drop-column', `drops column ${table}.${name}${cmd.behavior === 'DROP_CASCADE' ? ' with CASCADE' : ''}`, at);
}

/** ALTER COLUMN TYPE (K13, K14): only true widenings keep the table and its readers as they were. */
export function alterColumnType(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const name = cmd.name ?? '';
  const def = as<ColumnDef>(cmd.def, 'ColumnDef');
  const next = columnType(def?.typeName);
  const state = ctx.schema.column(table, name);
  const prev = state?.type;
  if (state) state.type = next;
  if (ctx.freshColumn(table, name)) {
    ctx.adds();
    return;
  }
  const using = def?.raw_default !== undefined;
  if (prev && !using && sameType(prev, next)) return;
  if (prev && !using && isWidening(prev, next)) {
    ctx.adds();
    return;
  }
  const col = `${table}.${name}`;
  const removed = prev ? enumLoss(ctx, prev, next) : undefined;
  if (removed !== undefined) {
    ctx.session.file.enumsChanged.add(prev!.name);
    ctx.hit('enum-change-values', `changes ${col} from enum ${prev!.name} to ${next.name}, which ${removed}`, at);
    return;
  }
  ctx.hit(
    'alter-column-type',
    `changes the type of ${col}${prev ? ` from ${showType(prev)}` : ''} to ${showType(next)}`,
    at,
  );
}

// Moving a column to another enum type (Prisma's way to remove values): what the old readers lose.
function enumLoss(ctx: Ctx, from: ColumnType, to: ColumnType): string | undefined {
  const before = ctx.schema.enums.get(from.name);
  const after = ctx.schema.enums.get(to.name);
  if (!before || !after || from.array !== to.array) return undefined;
  const gone = before.filter((v) => !after.includes(v));
  if (gone.length) return `drops ${gone.map((v) => `'${v}'`).join(', ')}`;
  const kept = after.filter((v) => before.includes(v));
  if (kept.some((v, i) => v !== before[i])) return 'reorders its values';
  return undefined;
}

/** SET DEFAULT / DROP DEFAULT (K17-K19): a first default is additive, a changed or dropped one is not. */
export function columnDefault(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const name = cmd.name ?? '';
  const state = ctx.schema.column(table, name);
  const before = state?.defaultKey;
  const after = cmd.def === undefined ? undefined : exprKey(cmd.def);
  if (state) state.defaultKey = after;
  if (after !== undefined) ctx.adds();
  if (ctx.freshColumn(table, name)) return;
  const col = `${table}.${name}`;
  if (after === undefined) {
    // Dropping a default the model knows is absent is a no-op; an unknown column may have one.
    if (!(state && before === undefined)) {
      const hit = ctx.hit('drop-default', `drops the default of ${col}`, at);
      if (before !== undefined)
        ctx.session.file.defaultDrops.push({ table, column: name, before, hits: ctx.verdict.hits, hit });
    }
  } else if (before !== undefined && before !== after) {
    ctx.hit('change-default', `changes the default of ${col}`, at);
  }
}

/** DROP NOT NULL (K16). */
export function dropNotNull(ctx: Ctx, table: string, name: string, at: number | undefined): void {
  const state = ctx.schema.column(table, name);
  const wasNullable = state !== undefined && !state.notNull;
  if (state) state.notNull = false;
  if (ctx.freshColumn(table, name) || wasNullable) return;
  ctx.hit('drop-not-null', `allows NULL in ${table}.${name}`, at);
}

/** ADD/SET/DROP IDENTITY (K20): ALWAYS rejects explicit values of old inserts; BY DEFAULT does not. */
export function identity(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const name = cmd.name ?? '';
  const col = `${table}.${name}`;
  const state = ctx.schema.column(table, name);
  const fresh = ctx.freshColumn(table, name);
  if (cmd.subtype === 'AT_DropIdentity') {
    if (state) state.identity = undefined;
    if (!fresh) ctx.hit('identity-change', `drops the identity of ${col}`, at);
    return;
  }
  if (cmd.subtype === 'AT_AddIdentity') {
    const when = as<Constraint>(cmd.def, 'Constraint')?.generated_when ?? 'a';
    if (state) state.identity = when;
    if (when === 'a' && !fresh) ctx.hit('identity-change', `makes ${col} GENERATED ALWAYS AS IDENTITY`, at);
    else ctx.adds();
    return;
  }
  for (const item of as<{ items?: Node[] }>(cmd.def, 'List')?.items ?? []) {
    const option = as<DefElem>(item, 'DefElem');
    if (!option || fresh) continue;
    if (option.defname === 'generated') {
      // The grammar stores ALWAYS as 'a' (97) and BY DEFAULT as 'd' (100).
      const always = as<{ ival?: number }>(option.arg, 'Integer')?.ival === 97;
      if (always) ctx.hit('identity-change', `makes ${col} GENERATED ALWAYS`, at);
    } else {
      ctx.hit('alter-sequence', `changes the identity sequence of ${col} (${option.defname})`, at);
    }
  }
}

/** SET EXPRESSION / DROP EXPRESSION of a generated column. */
export function generationExpression(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const name = cmd.name ?? '';
  if (ctx.freshColumn(table, name)) return;
  if (cmd.subtype === 'AT_SetExpression')
    ctx.hit(
      'alter-column-type',
      `changes the generation expression of ${table}.${name}, which recomputes every row`,
      at,
    );
  else ctx.hit('drop-default', `drops the generation expression of ${table}.${name}`, at);
}

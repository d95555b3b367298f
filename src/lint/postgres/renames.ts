import type { AlterObjectSchemaStmt, RenameStmt } from 'libpg-query';
import type { Ctx } from './context.js';
import { objectName, WORDS } from './drops.js';
import { qualifiedKey, relationKey, schemaOf } from './nodes.js';
import { freshRoutine, routineSignatures } from './routines.js';

/** ALTER ... RENAME: the old name disappears, so it is a contract change unless the object is new. */
export function rename(ctx: Ctx, stmt: RenameStmt): void {
  const to = stmt.newname ?? '';
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_SEQUENCE':
      return renameRelation(ctx, relationKey(stmt.relation), to);
    case 'OBJECT_INDEX':
      return renameIndex(ctx, relationKey(stmt.relation), to);
    case 'OBJECT_COLUMN':
      return renameColumn(ctx, relationKey(stmt.relation), stmt.subname ?? '', to);
    case 'OBJECT_TABCONSTRAINT': {
      const table = relationKey(stmt.relation);
      const from = stmt.subname ?? '';
      const state = ctx.schema.constraints.get(`${table}.${from}`);
      if (state) {
        ctx.schema.constraints.delete(`${table}.${from}`);
        ctx.schema.constraints.set(`${table}.${to}`, state);
      }
      if (ctx.freshTable(table) || ctx.fresh.has('constraint', `${table}.${from}`)) {
        ctx.fresh.rename('constraint', `${table}.${from}`, `${table}.${to}`);
        return;
      }
      ctx.hit('rename-constraint', `renames constraint ${from} on ${table} to ${to}`);
      return;
    }
    case 'OBJECT_DOMCONSTRAINT':
      ctx.hit(
        'rename-constraint',
        `renames constraint ${stmt.subname ?? '?'} of domain ${qualifiedKey(objectName(stmt.object))} to ${to}`,
      );
      return;
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN':
      return renameType(ctx, qualifiedKey(objectName(stmt.object)), to);
    case 'OBJECT_ATTRIBUTE': {
      const type = relationKey(stmt.relation);
      if (!ctx.fresh.has('type', type))
        ctx.hit('drop-type', `renames attribute ${stmt.subname ?? '?'} of type ${type} to ${to}`);
      return;
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE':
    case 'OBJECT_AGGREGATE': {
      const { name, signatures } = routineSignatures(ctx, stmt.object);
      if (!freshRoutine(ctx, signatures))
        ctx.hit('drop-function', `renames ${stmt.renameType.slice(7).toLowerCase()} ${name} to ${to}`);
      return;
    }
    case 'OBJECT_SCHEMA':
      if (!ctx.fresh.has('schema', stmt.subname ?? ''))
        ctx.hit('drop-schema', `renames schema ${stmt.subname ?? '?'} to ${to}`);
      return;
    case 'OBJECT_DATABASE':
      ctx.hit('drop-schema', `renames database ${stmt.subname ?? '?'} to ${to}`);
      return;
    case 'OBJECT_ROLE':
      ctx.hit('revoke', `renames role ${stmt.subname ?? '?'} to ${to}`);
      return;
    case 'OBJECT_TRIGGER':
    case 'OBJECT_POLICY':
    case 'OBJECT_RULE':
      // Nothing refers to these by name at run time.
      return;
    default:
      ctx.hit(
        'drop-object',
        `renames ${WORDS[stmt.renameType ?? ''] ?? 'object'} ${stmt.subname ?? qualifiedKey(objectName(stmt.object))} to ${to}`,
      );
  }
}

function renameRelation(ctx: Ctx, from: string, newName: string): void {
  const schema = schemaOf(from);
  const to = schema ? `${schema}.${newName}` : newName;
  // ALTER TABLE also renames indexes and sequences.
  if (ctx.schema.indexes.has(from)) return renameIndex(ctx, from, newName);
  const rel = ctx.schema.relations.get(from);
  const fresh = ctx.freshTable(from);
  for (const column of rel?.columns.keys() ?? []) ctx.fresh.rename('column', `${from}.${column}`, `${to}.${column}`);
  for (const key of ctx.schema.constraints.keys()) {
    if (key.startsWith(`${from}.`)) ctx.fresh.rename('constraint', key, `${to}${key.slice(from.length)}`);
  }
  ctx.schema.renameRelation(from, to);
  if (fresh) {
    ctx.fresh.rename('table', from, to);
    return;
  }
  if (rel?.kind === 'view' || rel?.kind === 'matview') ctx.hit('drop-view', `renames view ${from} to ${newName}`);
  else if (rel?.kind === 'sequence') ctx.hit('drop-sequence', `renames sequence ${from} to ${newName}`);
  else {
    const hit = ctx.hit('rename-table', `renames table ${from} to ${newName}`);
    ctx.session.file.renames.push({ from, hits: ctx.verdict.hits, hit });
  }
}

function renameIndex(ctx: Ctx, from: string, newName: string): void {
  const schema = schemaOf(from);
  const to = schema ? `${schema}.${newName}` : newName;
  const state = ctx.schema.indexes.get(from);
  const fresh = ctx.fresh.has('index', from) || (state !== undefined && ctx.freshTable(state.table));
  if (state) {
    ctx.schema.indexes.delete(from);
    ctx.schema.indexes.set(to, state);
  }
  ctx.fresh.rename('index', from, to);
  if (!fresh) ctx.hit('rename-constraint', `renames index ${from} to ${newName}`);
}

function renameColumn(ctx: Ctx, table: string, from: string, to: string): void {
  const rel = ctx.schema.relations.get(table);
  const state = rel?.columns.get(from);
  if (rel && state) {
    rel.columns.delete(from);
    rel.columns.set(to, state);
  }
  if (ctx.freshColumn(table, from)) {
    ctx.fresh.rename('column', `${table}.${from}`, `${table}.${to}`);
    return;
  }
  ctx.hit('rename-column', `renames column ${table}.${from} to ${to}`);
}

function renameType(ctx: Ctx, from: string, newName: string): void {
  const schema = schemaOf(from);
  const to = schema ? `${schema}.${newName}` : newName;
  const values = ctx.schema.enums.get(from);
  if (values) {
    ctx.schema.enums.delete(from);
    ctx.schema.enums.set(to, values);
  }
  if (ctx.schema.types.delete(from)) ctx.schema.types.add(to);
  for (const rel of ctx.schema.relations.values()) {
    for (const column of rel.columns.values())
      if (column.type?.name === from) column.type = { ...column.type, name: to };
  }
  if (ctx.fresh.has('type', from)) {
    ctx.fresh.rename('type', from, to);
    return;
  }
  const hit = ctx.hit('drop-type', `renames type ${from} to ${newName}`);
  ctx.session.file.typeRenames.push({ from, to, values: values && [...values], hits: ctx.verdict.hits, hit });
}

/** ALTER ... SET SCHEMA (T7, Y5): the qualified name changes, like a rename. */
export function setSchema(ctx: Ctx, stmt: AlterObjectSchemaStmt): void {
  const schema = stmt.newschema ?? '';
  const moved = (name: string): string =>
    `${schema === 'public' ? '' : `${schema}.`}${name.slice(name.lastIndexOf('.') + 1)}`;
  switch (stmt.objectType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_SEQUENCE': {
      const from = relationKey(stmt.relation);
      const rel = ctx.schema.relations.get(from);
      const fresh = ctx.freshTable(from);
      ctx.schema.renameRelation(from, moved(from));
      if (fresh) {
        ctx.fresh.rename('table', from, moved(from));
        return;
      }
      const code =
        rel?.kind === 'view' || rel?.kind === 'matview'
          ? 'drop-view'
          : rel?.kind === 'sequence'
            ? 'drop-sequence'
            : 'rename-table';
      ctx.hit(code, `moves ${from} to schema ${schema}`);
      return;
    }
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN': {
      const from = qualifiedKey(objectName(stmt.object));
      if (!ctx.fresh.has('type', from)) ctx.hit('drop-type', `moves type ${from} to schema ${schema}`);
      return;
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE':
    case 'OBJECT_AGGREGATE': {
      const { name, signatures } = routineSignatures(ctx, stmt.object);
      if (!freshRoutine(ctx, signatures)) ctx.hit('drop-function', `moves ${name} to schema ${schema}`);
      return;
    }
    case 'OBJECT_EXTENSION':
      ctx.hit('extension-change', `moves extension ${qualifiedKey(objectName(stmt.object))} to schema ${schema}`);
      return;
    default:
      ctx.hit(
        'drop-object',
        `moves ${WORDS[stmt.objectType ?? ''] ?? 'object'} ${qualifiedKey(objectName(stmt.object))} to schema ${schema}`,
      );
  }
}

import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterTableCmd,
  AlterTableStmt,
  CompositeTypeStmt,
  Constraint,
  CreateEnumStmt,
  Node,
} from 'libpg-query';
import type { Ctx } from './context.js';
import { as, qualifiedKey, relationKey, strings } from './nodes.js';

/** CREATE TYPE ... AS ENUM (Y1). */
export function createEnum(ctx: Ctx, stmt: CreateEnumStmt): void {
  ctx.adds();
  const key = qualifiedKey(strings(stmt.typeName));
  ctx.schema.enums.set(key, strings(stmt.vals));
  ctx.fresh.add('type', key);
}

/** CREATE TYPE (composite, range), CREATE DOMAIN (Y1, R13): new types nothing uses yet. */
export function createType(ctx: Ctx, name: readonly string[]): void {
  ctx.adds();
  const key = qualifiedKey(name);
  ctx.schema.types.add(key);
  ctx.fresh.add('type', key);
}

/** CREATE TYPE name AS (...). */
export function createComposite(ctx: Ctx, stmt: CompositeTypeStmt): void {
  createType(ctx, relationKey(stmt.typevar).split('.'));
}

/** ALTER TYPE ... ADD VALUE (Y2) / RENAME VALUE (Y3). */
export function alterEnum(ctx: Ctx, stmt: AlterEnumStmt): void {
  const key = qualifiedKey(strings(stmt.typeName));
  const values = ctx.schema.enums.get(key);
  const fresh = ctx.fresh.has('type', key);
  if (stmt.oldVal !== undefined) {
    const index = values ? values.indexOf(stmt.oldVal) : -1;
    if (values && index >= 0) values[index] = stmt.newVal ?? '';
    if (!fresh)
      ctx.hit('enum-change-values', `renames value '${stmt.oldVal}' of enum ${key} to '${stmt.newVal ?? ''}'`);
    return;
  }
  const value = stmt.newVal ?? '';
  ctx.adds();
  if (values?.includes(value)) {
    if (stmt.skipIfNewValExists) return;
  } else if (values) {
    const at = stmt.newValNeighbor === undefined ? -1 : values.indexOf(stmt.newValNeighbor);
    if (at < 0) values.push(value);
    else values.splice(stmt.newValIsAfter ? at + 1 : at, 0, value);
  }
  if (fresh) return;
  const where =
    stmt.newValNeighbor === undefined ? '' : ` ${stmt.newValIsAfter ? 'after' : 'before'} '${stmt.newValNeighbor}'`;
  ctx.hit('enum-add-value', `adds value '${value}' to enum ${key}${where}`);
}

/** ALTER TYPE composite ADD / DROP / ALTER ATTRIBUTE (Y6). */
export function alterComposite(ctx: Ctx, stmt: AlterTableStmt): void {
  const key = relationKey(stmt.relation);
  const fresh = ctx.fresh.has('type', key);
  for (const node of stmt.cmds ?? []) {
    const cmd = as<AlterTableCmd>(node, 'AlterTableCmd');
    if (!cmd) continue;
    if (cmd.subtype === 'AT_AddColumn') ctx.adds();
    else if (cmd.subtype === 'AT_DropColumn' && !fresh)
      ctx.hit('drop-type', `drops attribute ${cmd.name ?? '?'} of type ${key}`);
    else if (cmd.subtype === 'AT_AlterColumnType' && !fresh)
      ctx.hit('drop-type', `changes the type of attribute ${cmd.name ?? '?'} of type ${key}`);
    else if (cmd.subtype === 'AT_ChangeOwner' && !fresh) ctx.hit('owner-change', `changes the owner of type ${key}`);
  }
}

/** ALTER DOMAIN (R13): constraints on a domain check every column that uses it. */
export function alterDomain(ctx: Ctx, stmt: AlterDomainStmt): void {
  const key = qualifiedKey(strings(stmt.typeName));
  if (ctx.fresh.has('type', key)) return;
  switch (stmt.subtype) {
    case 'T':
      if (stmt.def) ctx.hit('change-default', `changes the default of domain ${key}`);
      else ctx.hit('drop-default', `drops the default of domain ${key}`);
      return;
    case 'N':
      ctx.hit('drop-not-null', `allows NULL in domain ${key}`);
      return;
    case 'O':
      ctx.hit('domain-constraint', `makes domain ${key} NOT NULL`);
      return;
    case 'C': {
      const c = as<Constraint>(stmt.def as Node, 'Constraint');
      const name = c?.conname ? ` ${c.conname}` : '';
      if (c?.skip_validation) ctx.hit('add-constraint-not-valid', `adds constraint${name} to domain ${key} NOT VALID`);
      else ctx.hit('domain-constraint', `adds constraint${name} to domain ${key}`);
      return;
    }
    case 'X':
      ctx.hit('drop-constraint', `drops constraint ${stmt.name ?? '?'} of domain ${key}`);
      return;
  }
}

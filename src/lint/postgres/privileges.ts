import type {
  AccessPriv,
  AlterDefaultPrivilegesStmt,
  AlterOwnerStmt,
  AlterPolicyStmt,
  AlterRoleStmt,
  CreatePolicyStmt,
  DefElem,
  GrantRoleStmt,
  GrantStmt,
  Node,
  RangeVar,
  RoleSpec,
} from 'libpg-query';
import type { Ctx } from './context.js';
import { objectName } from './drops.js';
import { as, qualifiedKey, relationKey } from './nodes.js';
import { freshRoutine, routineSignatures } from './routines.js';

function roles(nodes: readonly Node[] | undefined): string {
  return (nodes ?? []).map((n) => roleName(as<RoleSpec>(n, 'RoleSpec'))).join(', ');
}

function roleName(role: RoleSpec | undefined): string {
  if (!role) return '?';
  if (role.rolename) return role.rolename;
  return (role.roletype ?? 'ROLESPEC_PUBLIC').replace('ROLESPEC_', '').toUpperCase();
}

function privileges(nodes: readonly Node[] | undefined): string {
  const names = (nodes ?? []).map((n) => as<AccessPriv>(n, 'AccessPriv')?.priv_name?.toUpperCase() ?? '?');
  return names.length ? names.join(', ') : 'ALL';
}

function grantTargets(stmt: GrantStmt): string {
  if (stmt.targtype === 'ACL_TARGET_ALL_IN_SCHEMA')
    return `all ${(stmt.objtype ?? '').slice(7).toLowerCase()}s in schema ${objectName(stmt.objects?.[0])}`;
  if (stmt.targtype === 'ACL_TARGET_DEFAULTS') return `future ${(stmt.objtype ?? '').slice(7).toLowerCase()}s`;
  return (stmt.objects ?? [])
    .map((o) => relationKey(as<RangeVar>(o, 'RangeVar')) || qualifiedKey(objectName(o)))
    .join(', ');
}

/** GRANT (P1) / REVOKE (P2). */
export function grant(ctx: Ctx, stmt: GrantStmt): void {
  if (stmt.is_grant) {
    ctx.adds();
    return;
  }
  const tables = (stmt.objects ?? []).map((o) => relationKey(as<RangeVar>(o, 'RangeVar')));
  if (stmt.objtype === 'OBJECT_TABLE' && tables.length && tables.every((t) => t && ctx.freshTable(t))) return;
  ctx.hit('revoke', `revokes ${privileges(stmt.privileges)} on ${grantTargets(stmt)} from ${roles(stmt.grantees)}`);
}

/** GRANT role TO / REVOKE role FROM. */
export function grantRole(ctx: Ctx, stmt: GrantRoleStmt): void {
  if (stmt.is_grant) ctx.adds();
  else
    ctx.hit('revoke', `revokes role ${privileges(stmt.granted_roles).toLowerCase()} from ${roles(stmt.grantee_roles)}`);
}

/** ALTER DEFAULT PRIVILEGES: grants for future objects are additive, revokes are not. */
export function defaultPrivileges(ctx: Ctx, stmt: AlterDefaultPrivilegesStmt): void {
  if (stmt.action?.is_grant) ctx.adds();
  else if (stmt.action)
    ctx.hit(
      'revoke',
      `revokes default ${privileges(stmt.action.privileges)} on ${grantTargets(stmt.action)} from ${roles(stmt.action.grantees)}`,
    );
}

// Role attributes the previous release may depend on; switching one off takes something away.
const ROLE_POWERS = new Set([
  'canlogin',
  'superuser',
  'createdb',
  'createrole',
  'inherit',
  'isreplication',
  'bypassrls',
]);

/** ALTER ROLE: removing LOGIN or another power can lock the service out. */
export function alterRole(ctx: Ctx, stmt: AlterRoleStmt): void {
  for (const node of stmt.options ?? []) {
    const option = as<DefElem>(node, 'DefElem');
    if (!option?.defname) continue;
    const off = as<{ boolval?: boolean }>(option.arg, 'Boolean')?.boolval !== true;
    if (ROLE_POWERS.has(option.defname) && off) {
      ctx.hit('revoke', `changes ${option.defname} of role ${roleName(stmt.role)}`);
      return;
    }
  }
}

/** ALTER ... OWNER TO (S10). */
export function alterOwner(ctx: Ctx, stmt: AlterOwnerStmt): void {
  const owner = roleName(stmt.newowner);
  switch (stmt.objectType) {
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE':
    case 'OBJECT_AGGREGATE': {
      const { name, signatures } = routineSignatures(ctx, stmt.object);
      if (!freshRoutine(ctx, signatures)) ctx.hit('owner-change', `changes the owner of ${name} to ${owner}`);
      return;
    }
    default: {
      const key = stmt.relation ? relationKey(stmt.relation) : qualifiedKey(objectName(stmt.object));
      const kind =
        stmt.objectType === 'OBJECT_TYPE' || stmt.objectType === 'OBJECT_DOMAIN'
          ? 'type'
          : stmt.objectType === 'OBJECT_SCHEMA'
            ? 'schema'
            : 'table';
      if (!ctx.fresh.has(kind, key)) ctx.hit('owner-change', `changes the owner of ${key} to ${owner}`);
    }
  }
}

/** CREATE POLICY (P3): a permissive policy grants rows, a restrictive one takes them away. */
export function createPolicy(ctx: Ctx, stmt: CreatePolicyStmt): void {
  const table = relationKey(stmt.table);
  ctx.fresh.add('policy', `${table}.${stmt.policy_name ?? ''}`);
  if (stmt.permissive || ctx.freshTable(table)) ctx.adds();
  else ctx.hit('row-security', `adds restrictive policy ${stmt.policy_name ?? ''} on ${table}`);
}

/** ALTER POLICY (P4). */
export function alterPolicy(ctx: Ctx, stmt: AlterPolicyStmt): void {
  const table = relationKey(stmt.table);
  if (ctx.freshTable(table) || ctx.fresh.has('policy', `${table}.${stmt.policy_name ?? ''}`)) return;
  ctx.hit('policy-change', `changes policy ${stmt.policy_name ?? ''} on ${table}`);
}

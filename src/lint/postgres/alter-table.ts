import type {
  AlterTableCmd,
  AlterTableStmt,
  ATAlterConstraint,
  ColumnDef,
  Constraint,
  PartitionCmd,
} from 'libpg-query';
import {
  addColumn,
  alterColumnType,
  columnDefault,
  dropColumn,
  dropNotNull,
  generationExpression,
  identity,
} from './columns.js';
import { addConstraint, alterConstraint, dropConstraint, notNull, validateConstraint } from './constraints.js';
import type { Ctx } from './context.js';
import { as, relationKey } from './nodes.js';
import { alterComposite } from './user-types.js';

/** ALTER TABLE (and ALTER INDEX / VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE forms that parse the same way). */
export function alterTable(ctx: Ctx, stmt: AlterTableStmt): void {
  if (stmt.objtype === 'OBJECT_TYPE') {
    alterComposite(ctx, stmt);
    return;
  }
  const table = relationKey(stmt.relation);
  const cmds = stmt.cmds ?? [];
  let starts: number[] | undefined;
  cmds.forEach((node, i) => {
    const cmd = as<AlterTableCmd>(node, 'AlterTableCmd');
    if (!cmd) return;
    // Subcommands carry no location; find where each comma-separated clause starts, once, when needed.
    const at = (): number | undefined => {
      starts ??= ctx.sql.clauseStarts(stmt.relation?.location);
      return starts.length === cmds.length ? starts[i] : undefined;
    };
    if (stmt.objtype === 'OBJECT_INDEX') alterIndexCmd(ctx, table, cmd, at);
    else alterTableCmd(ctx, table, cmd, at);
  });
}

function alterTableCmd(ctx: Ctx, table: string, cmd: AlterTableCmd, at: () => number | undefined): void {
  const fresh = ctx.freshTable(table);
  switch (cmd.subtype) {
    case 'AT_AddColumn':
    case 'AT_AddColumnToView': {
      const def = as<ColumnDef>(cmd.def, 'ColumnDef');
      if (def) addColumn(ctx, table, def, cmd.missing_ok === true, at());
      return;
    }
    case 'AT_DropColumn':
      return dropColumn(ctx, table, cmd, at());
    case 'AT_AlterColumnType':
      return alterColumnType(ctx, table, cmd, at());
    case 'AT_ColumnDefault':
      return columnDefault(ctx, table, cmd, at());
    case 'AT_SetNotNull':
      return notNull(ctx, table, cmd.name ?? '', at());
    case 'AT_DropNotNull':
      return dropNotNull(ctx, table, cmd.name ?? '', at());
    case 'AT_AddIdentity':
    case 'AT_SetIdentity':
    case 'AT_DropIdentity':
      return identity(ctx, table, cmd, at());
    case 'AT_SetExpression':
    case 'AT_DropExpression':
      return generationExpression(ctx, table, cmd, at());
    case 'AT_AddConstraint': {
      const c = as<Constraint>(cmd.def, 'Constraint');
      if (c) addConstraint(ctx, table, c, at());
      return;
    }
    case 'AT_DropConstraint':
      return dropConstraint(ctx, table, cmd.name ?? '', cmd.behavior === 'DROP_CASCADE', at());
    case 'AT_ValidateConstraint':
      return validateConstraint(ctx, table, cmd.name ?? '', at());
    case 'AT_AlterConstraint': {
      const change = as<ATAlterConstraint>(cmd.def, 'ATAlterConstraint');
      if (change) alterConstraint(ctx, table, change, at());
      return;
    }
    case 'AT_SetTableSpace':
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetAccessMethod':
      if (!fresh) ctx.hit('table-rewrite', `${REWRITES[cmd.subtype](table, cmd.name ?? '')}, which rewrites it`, at());
      return;
    case 'AT_ChangeOwner':
      if (!fresh)
        ctx.hit(
          'owner-change',
          `changes the owner of ${table} to ${cmd.newowner?.rolename ?? cmd.newowner?.roletype ?? '?'}`,
          at(),
        );
      return;
    case 'AT_EnableRowSecurity':
    case 'AT_ForceRowSecurity':
      if (!fresh)
        ctx.hit(
          'row-security',
          `${cmd.subtype === 'AT_ForceRowSecurity' ? 'forces' : 'enables'} row-level security on ${table}`,
          at(),
        );
      return;
    case 'AT_DisableRowSecurity':
    case 'AT_NoForceRowSecurity':
      if (!fresh)
        ctx.hit(
          'policy-change',
          `${cmd.subtype === 'AT_NoForceRowSecurity' ? 'stops forcing' : 'disables'} row-level security on ${table}`,
          at(),
        );
      return;
    case 'AT_AttachPartition':
    case 'AT_AddInherit':
      return attach(ctx, table, cmd, at());
    case 'AT_DetachPartition':
    case 'AT_DetachPartitionFinalize':
    case 'AT_DropInherit':
      return detach(ctx, table, cmd, at());
    default:
      if (cmd.subtype && TRIGGER_SWITCHES.has(cmd.subtype)) {
        if (!fresh)
          ctx.hit(
            'drop-trigger',
            `${cmd.subtype.startsWith('AT_Disable') ? 'disables' : 'enables'} ${cmd.subtype.endsWith('Rule') ? 'rule' : 'trigger'} ${cmd.name ?? (cmd.subtype.endsWith('User') ? 'USER' : 'ALL')} on ${table}`,
            at(),
          );
      }
      // Storage parameters, statistics, replica identity, CLUSTER ON, OF type: physical or catalog only (K21, S9).
      return;
  }
}

const REWRITES: Record<string, (table: string, name: string) => string> = {
  AT_SetTableSpace: (table, name) => `moves ${table} to tablespace ${name}`,
  AT_SetLogged: (table) => `makes ${table} LOGGED`,
  AT_SetUnLogged: (table) => `makes ${table} UNLOGGED`,
  AT_SetAccessMethod: (table, name) => `changes the access method of ${table} to ${name}`,
};

const TRIGGER_SWITCHES = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
  'AT_EnableRule',
  'AT_EnableAlwaysRule',
  'AT_EnableReplicaRule',
  'AT_DisableRule',
]);

// ATTACH PARTITION / INHERIT (S4): scans the attached table to check the bound, unless it is new.
function attach(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  const part =
    cmd.subtype === 'AT_AddInherit'
      ? as<{ relname?: string; schemaname?: string }>(cmd.def, 'RangeVar')
      : as<PartitionCmd>(cmd.def, 'PartitionCmd')?.name;
  const name = relationKey(part);
  if (ctx.freshTable(name)) return;
  ctx.hit(
    'attach-partition',
    cmd.subtype === 'AT_AddInherit' ? `makes ${table} inherit from ${name}` : `attaches partition ${name} to ${table}`,
    at,
  );
}

// DETACH PARTITION / NO INHERIT (S5): the rows vanish from the parent.
function detach(ctx: Ctx, table: string, cmd: AlterTableCmd, at: number | undefined): void {
  if (ctx.freshTable(table)) return;
  if (cmd.subtype === 'AT_DropInherit') {
    ctx.hit('detach-partition', `makes ${table} stop inheriting from ${relationKey(as(cmd.def, 'RangeVar'))}`, at);
    return;
  }
  const part = as<PartitionCmd>(cmd.def, 'PartitionCmd');
  ctx.hit(
    'detach-partition',
    `detaches partition ${relationKey(part?.name)} from ${table}${part?.concurrent ? ' CONCURRENTLY' : ''}`,
    at,
  );
}

// ALTER INDEX: only a tablespace move rewrites anything (I5).
function alterIndexCmd(ctx: Ctx, index: string, cmd: AlterTableCmd, at: () => number | undefined): void {
  const state = ctx.schema.indexes.get(index);
  const fresh = ctx.fresh.has('index', index) || (state !== undefined && ctx.freshTable(state.table));
  if (cmd.subtype === 'AT_SetTableSpace' && !fresh)
    ctx.hit('table-rewrite', `moves index ${index} to ${cmd.name ?? '?'}, which rebuilds it`, at());
}

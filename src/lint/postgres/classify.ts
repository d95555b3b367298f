import type * as T from 'libpg-query';
import { alterTable } from './alter-table.js';
import type { Ctx } from './context.js';
import { copy, insert, merge, remove, select, truncate, update } from './data.js';
import { drop } from './drops.js';
import { createIndex, reindex } from './indexes.js';
import { as, qualifiedKey, strings, unwrap } from './nodes.js';
import { alterSequence, cluster, createSequence, createView, refresh, vacuum } from './objects.js';
import { alterOwner, alterPolicy, alterRole, createPolicy, defaultPrivileges, grant, grantRole } from './privileges.js';
import { rename, setSchema } from './renames.js';
import { call, createEventTrigger, createRoutine, createRule, createTrigger, doBlock } from './routines.js';
import { createFromQuery, createTable } from './tables.js';
import { alterDomain, alterEnum, createComposite, createEnum, createType } from './user-types.js';

type Handler = (ctx: Ctx, body: never) => void;

const adds: Handler = (ctx) => ctx.adds();
const neutral: Handler = () => undefined;

/** What each statement type does; a type missing here is `unclassified`. */
const HANDLERS: Record<string, Handler> = {
  CreateStmt: (ctx, s: T.CreateStmt) => createTable(ctx, s),
  CreateForeignTableStmt: (ctx, s: T.CreateForeignTableStmt) => createTable(ctx, s.base ?? {}),
  CreateTableAsStmt: (ctx, s: T.CreateTableAsStmt) =>
    createFromQuery(ctx, s.into, s.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table', s.if_not_exists),
  AlterTableStmt: (ctx, s: T.AlterTableStmt) => alterTable(ctx, s),
  DropStmt: (ctx, s: T.DropStmt) => drop(ctx, s),
  RenameStmt: (ctx, s: T.RenameStmt) => rename(ctx, s),
  AlterObjectSchemaStmt: (ctx, s: T.AlterObjectSchemaStmt) => setSchema(ctx, s),
  IndexStmt: (ctx, s: T.IndexStmt) => createIndex(ctx, s),
  ReindexStmt: (ctx, s: T.ReindexStmt) => reindex(ctx, s),
  CreateEnumStmt: (ctx, s: T.CreateEnumStmt) => createEnum(ctx, s),
  AlterEnumStmt: (ctx, s: T.AlterEnumStmt) => alterEnum(ctx, s),
  CompositeTypeStmt: (ctx, s: T.CompositeTypeStmt) => createComposite(ctx, s),
  CreateRangeStmt: (ctx, s: T.CreateRangeStmt) => createType(ctx, strings(s.typeName)),
  CreateDomainStmt: (ctx, s: T.CreateDomainStmt) => createType(ctx, strings(s.domainname)),
  AlterDomainStmt: (ctx, s: T.AlterDomainStmt) => alterDomain(ctx, s),
  ViewStmt: (ctx, s: T.ViewStmt) => createView(ctx, s),
  RefreshMatViewStmt: (ctx, s: T.RefreshMatViewStmt) => refresh(ctx, s),
  CreateFunctionStmt: (ctx, s: T.CreateFunctionStmt) => createRoutine(ctx, s),
  DoStmt: (ctx, s: T.DoStmt) => doBlock(ctx, s),
  CallStmt: (ctx, s: T.CallStmt) => call(ctx, s),
  CreateTrigStmt: (ctx, s: T.CreateTrigStmt) => createTrigger(ctx, s),
  RuleStmt: (ctx, s: T.RuleStmt) => createRule(ctx, s),
  CreateEventTrigStmt: (ctx, s: T.CreateEventTrigStmt) => createEventTrigger(ctx, s),
  AlterEventTrigStmt: (ctx, s: T.AlterEventTrigStmt) =>
    ctx.hit('drop-trigger', `changes event trigger ${s.trigname ?? ''}`),
  CreateSeqStmt: (ctx, s: T.CreateSeqStmt) => createSequence(ctx, s),
  AlterSeqStmt: (ctx, s: T.AlterSeqStmt) => alterSequence(ctx, s),
  CreateSchemaStmt: (ctx, s: T.CreateSchemaStmt) => {
    ctx.adds();
    ctx.fresh.add('schema', s.schemaname ?? '');
    for (const element of s.schemaElts ?? []) ctx.session.classify(ctx, element);
  },
  CreateExtensionStmt: adds,
  AlterExtensionStmt: (ctx, s: T.AlterExtensionStmt) =>
    ctx.hit('extension-change', `updates extension ${s.extname ?? ''}`),
  CreatedbStmt: adds,
  DropdbStmt: (ctx, s: T.DropdbStmt) => ctx.hit('drop-schema', `drops database ${s.dbname ?? ''}`),
  GrantStmt: (ctx, s: T.GrantStmt) => grant(ctx, s),
  GrantRoleStmt: (ctx, s: T.GrantRoleStmt) => grantRole(ctx, s),
  AlterDefaultPrivilegesStmt: (ctx, s: T.AlterDefaultPrivilegesStmt) => defaultPrivileges(ctx, s),
  CreateRoleStmt: adds,
  AlterRoleStmt: (ctx, s: T.AlterRoleStmt) => alterRole(ctx, s),
  DropRoleStmt: (ctx, s: T.DropRoleStmt) =>
    ctx.hit(
      'revoke',
      `drops role ${(s.roles ?? []).map((r) => as<T.RoleSpec>(r, 'RoleSpec')?.rolename ?? '?').join(', ')}`,
    ),
  DropOwnedStmt: (ctx) => ctx.hit('revoke', 'drops everything owned by a role'),
  ReassignOwnedStmt: (ctx) => ctx.hit('owner-change', 'reassigns everything owned by a role'),
  AlterOwnerStmt: (ctx, s: T.AlterOwnerStmt) => alterOwner(ctx, s),
  CreatePolicyStmt: (ctx, s: T.CreatePolicyStmt) => createPolicy(ctx, s),
  AlterPolicyStmt: (ctx, s: T.AlterPolicyStmt) => alterPolicy(ctx, s),
  InsertStmt: (ctx, s: T.InsertStmt) => insert(ctx, s),
  UpdateStmt: (ctx, s: T.UpdateStmt) => update(ctx, s),
  DeleteStmt: (ctx, s: T.DeleteStmt) => remove(ctx, s),
  MergeStmt: (ctx, s: T.MergeStmt) => merge(ctx, s),
  TruncateStmt: (ctx, s: T.TruncateStmt) => truncate(ctx, s),
  SelectStmt: (ctx, s: T.SelectStmt) => select(ctx, s),
  CopyStmt: (ctx, s: T.CopyStmt) => copy(ctx, s),
  ExplainStmt: (ctx, s: T.ExplainStmt) => {
    // EXPLAIN ANALYZE runs the statement.
    const analyze = (s.options ?? []).some((o) => as<T.DefElem>(o, 'DefElem')?.defname === 'analyze');
    if (analyze && s.query) ctx.session.classify(ctx, s.query);
  },
  VacuumStmt: (ctx, s: T.VacuumStmt) => vacuum(ctx, s),
  ClusterStmt: (ctx, s: T.ClusterStmt) => cluster(ctx, s),
  AlterTableMoveAllStmt: (ctx, s: T.AlterTableMoveAllStmt) =>
    ctx.hit('table-rewrite', `moves every table of tablespace ${s.orig_tablespacename ?? ''}, which rewrites them`),
  DropTableSpaceStmt: (ctx, s: T.DropTableSpaceStmt) =>
    ctx.hit('drop-object', `drops tablespace ${s.tablespacename ?? ''}`),
  DropSubscriptionStmt: (ctx, s: T.DropSubscriptionStmt) =>
    ctx.hit('drop-object', `drops subscription ${s.subname ?? ''}`),
  DropUserMappingStmt: (ctx) => ctx.hit('drop-object', 'drops a user mapping'),
  // New objects of other kinds: nothing of the previous release uses them.
  CreateStatsStmt: neutral,
  CreateCastStmt: adds,
  CreateOpClassStmt: adds,
  CreateOpFamilyStmt: adds,
  DefineStmt: (ctx, s: T.DefineStmt) => {
    ctx.adds();
    // DROP of an operator, collation or text search object created in this window is no change.
    ctx.fresh.add('object', `object:${s.kind ?? ''}:${qualifiedKey(strings(s.defnames))}`);
  },
  CreateConversionStmt: adds,
  CreateTransformStmt: adds,
  CreateAmStmt: adds,
  CreatePLangStmt: adds,
  CreateFdwStmt: adds,
  CreateForeignServerStmt: adds,
  CreateUserMappingStmt: adds,
  ImportForeignSchemaStmt: adds,
  CreatePublicationStmt: adds,
  CreateSubscriptionStmt: adds,
  CreateTableSpaceStmt: adds,
  // Settings, transactions, comments, statistics and infrastructure: no effect on the contract (X1, X2, S9).
  VariableSetStmt: neutral,
  VariableShowStmt: neutral,
  TransactionStmt: neutral,
  DiscardStmt: neutral,
  LockStmt: neutral,
  CheckPointStmt: neutral,
  NotifyStmt: neutral,
  ListenStmt: neutral,
  UnlistenStmt: neutral,
  LoadStmt: neutral,
  PrepareStmt: neutral,
  DeallocateStmt: neutral,
  ConstraintsSetStmt: neutral,
  CommentStmt: neutral,
  AlterStatsStmt: neutral,
  AlterDatabaseSetStmt: neutral,
  AlterDatabaseStmt: neutral,
  AlterDatabaseRefreshCollStmt: neutral,
  AlterRoleSetStmt: neutral,
  AlterFunctionStmt: neutral,
  AlterTypeStmt: neutral,
  AlterCollationStmt: neutral,
  AlterExtensionContentsStmt: neutral,
  AlterObjectDependsStmt: neutral,
  AlterPublicationStmt: neutral,
  AlterSubscriptionStmt: neutral,
  AlterFdwStmt: neutral,
  AlterForeignServerStmt: neutral,
  AlterUserMappingStmt: neutral,
  AlterTableSpaceOptionsStmt: neutral,
};

const SPELLED: Record<string, string> = {
  SecLabelStmt: 'SECURITY LABEL',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY',
};

// `AlterSystemStmt` reads `ALTER SYSTEM`.
function words(tag: string): string {
  return (
    SPELLED[tag] ??
    tag
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toUpperCase()
  );
}

/** Classifies one parsed statement into `ctx.verdict`. */
export function classify(ctx: Ctx, node: T.Node): void {
  const entry = unwrap(node);
  if (!entry) return;
  const [tag, body] = entry;
  const handler = HANDLERS[tag];
  if (handler) handler(ctx, body as never);
  else ctx.hit('unclassified', `runs ${words(tag)}, which molt has no rule for`);
}

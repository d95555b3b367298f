import type { ColumnDef, Constraint, CreateStmt, IntoClause, Node, RangeVar, TableLikeClause } from 'libpg-query';
import { columnType, serialBase, type ColumnType } from './column-types.js';
import { recordConstraint } from './constraints.js';
import type { Ctx } from './context.js';
import { as, exprKey, relationKey } from './nodes.js';
import type { ColumnState, RelationState } from './schema.js';

/** A column definition read once: what ADD COLUMN rules and the model need. */
export interface ColumnFacts {
  name: string;
  type: ColumnType;
  /** The integer type when declared serial. */
  serial?: string;
  default?: Node;
  /** 'a' ALWAYS or 'd' BY DEFAULT. */
  identity?: string;
  /** 's' stored or 'v' virtual. */
  generated?: string;
  notNull: boolean;
  primary: boolean;
  unique: boolean;
  references?: RangeVar;
  constraints: Constraint[];
}

/** Reads a column definition (CREATE TABLE element or ADD COLUMN). */
export function readColumn(def: ColumnDef): ColumnFacts {
  const type = columnType(def.typeName);
  const facts: ColumnFacts = {
    name: def.colname ?? '',
    type,
    notNull: false,
    primary: false,
    unique: false,
    constraints: [],
  };
  const serial = serialBase(type);
  if (serial) {
    facts.serial = type.name;
    facts.type = { name: serial, mods: [], array: false };
    facts.notNull = true;
  }
  for (const node of def.constraints ?? []) {
    const c = as<Constraint>(node, 'Constraint');
    if (!c) continue;
    facts.constraints.push(c);
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        facts.notNull = true;
        break;
      case 'CONSTR_DEFAULT':
        facts.default = c.raw_expr;
        break;
      case 'CONSTR_IDENTITY':
        facts.identity = c.generated_when ?? 'a';
        facts.notNull = true;
        break;
      case 'CONSTR_GENERATED':
        // PostgreSQL 18 made VIRTUAL the default; earlier versions require STORED to be written.
        facts.generated = c.generated_kind || 'v';
        break;
      case 'CONSTR_PRIMARY':
        facts.primary = true;
        facts.notNull = true;
        break;
      case 'CONSTR_UNIQUE':
        facts.unique = true;
        break;
      case 'CONSTR_FOREIGN':
        facts.references = c.pktable;
        break;
    }
  }
  return facts;
}

/** The model's view of a column read from its definition. */
export function columnState(facts: ColumnFacts): ColumnState {
  const hasDefault = facts.default !== undefined && !isNullConst(facts.default);
  return {
    type: facts.type,
    defaultKey: hasDefault ? exprKey(facts.default) : facts.serial ? `nextval:${facts.serial}` : undefined,
    notNull: facts.notNull,
    identity: facts.identity,
  };
}

/** Whether an expression is the NULL literal (`DEFAULT NULL` is no default). */
export function isNullConst(expr: Node | undefined): boolean {
  const c = as<{ isnull?: boolean }>(expr, 'A_Const');
  return c?.isnull === true;
}

/** The relation state for a key, created empty when the model has not seen it (history starting later). */
export function relationFor(ctx: Ctx, table: string): RelationState {
  let rel = ctx.schema.relations.get(table);
  if (!rel) {
    rel = { kind: 'table', columns: new Map() };
    ctx.schema.relations.set(table, rel);
  }
  return rel;
}

/** CREATE TABLE (T1), also PARTITION OF (S4) and foreign tables: new, so nothing of the previous release uses it. */
export function createTable(ctx: Ctx, stmt: CreateStmt): void {
  ctx.adds();
  const table = relationKey(stmt.relation);
  if (stmt.if_not_exists && ctx.schema.relations.has(table)) return;
  ctx.schema.dropRelation(table);
  const rel: RelationState = { kind: 'table', columns: new Map() };
  ctx.schema.relations.set(table, rel);
  ctx.fresh.add('table', table);
  for (const parent of stmt.inhRelations ?? []) copyColumns(ctx, rel, as<RangeVar>(parent, 'RangeVar'));
  for (const element of stmt.tableElts ?? []) {
    const def = as<ColumnDef>(element, 'ColumnDef');
    if (def) {
      const facts = readColumn(def);
      rel.columns.set(facts.name, columnState(facts));
      for (const c of facts.constraints) recordConstraint(ctx, table, c, facts.name);
      continue;
    }
    const constraint = as<Constraint>(element, 'Constraint');
    if (constraint) {
      recordConstraint(ctx, table, constraint);
      if (constraint.contype === 'CONSTR_PRIMARY') markNotNull(rel, constraint);
      continue;
    }
    const like = as<TableLikeClause>(element, 'TableLikeClause');
    if (like) copyColumns(ctx, rel, like.relation);
  }
}

/** CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED VIEW (T2, V4): a new relation filled by a query. */
export function createFromQuery(
  ctx: Ctx,
  into: IntoClause | undefined,
  kind: RelationState['kind'],
  ifNotExists = false,
): void {
  ctx.adds();
  const table = relationKey(into?.rel);
  if (ifNotExists && ctx.schema.relations.has(table)) return;
  ctx.schema.dropRelation(table);
  ctx.schema.relations.set(table, { kind, columns: new Map() });
  ctx.fresh.add('table', table);
}

function copyColumns(ctx: Ctx, rel: RelationState, source: RangeVar | undefined): void {
  const from = ctx.schema.relations.get(relationKey(source));
  if (from) for (const [name, column] of from.columns) rel.columns.set(name, { ...column });
}

function markNotNull(rel: RelationState, constraint: Constraint): void {
  for (const key of constraint.keys ?? []) {
    const name = as<{ sval?: string }>(key, 'String')?.sval;
    const column = name === undefined ? undefined : rel.columns.get(name);
    if (column) column.notNull = true;
  }
}

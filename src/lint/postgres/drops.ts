import type { DropStmt, Node, ObjectWithArgs, TypeName } from 'libpg-query';
import type { Ctx } from './context.js';
import { dropIndex } from './indexes.js';
import { as, qualifiedKey, strings } from './nodes.js';
import { freshRoutine, routineSignatures } from './routines.js';

/** The name parts of a dropped object, whatever node the grammar used for it. */
export function objectName(node: Node | undefined): string[] {
  const list = as<{ items?: Node[] }>(node, 'List');
  if (list) return strings(list.items);
  const type = as<TypeName>(node, 'TypeName');
  if (type) return strings(type.names);
  const routine = as<ObjectWithArgs>(node, 'ObjectWithArgs');
  if (routine) return strings(routine.objname);
  const s = as<{ sval?: string }>(node, 'String');
  return s ? [s.sval ?? ''] : [];
}

/** How an object type reads in a message. */
export const WORDS: Record<string, string> = {
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_CAST: 'cast',
  OBJECT_COLLATION: 'collation',
  OBJECT_CONVERSION: 'conversion',
  OBJECT_EVENT_TRIGGER: 'event trigger',
  OBJECT_FDW: 'foreign-data wrapper',
  OBJECT_FOREIGN_SERVER: 'server',
  OBJECT_OPERATOR: 'operator',
  OBJECT_OPCLASS: 'operator class',
  OBJECT_OPFAMILY: 'operator family',
  OBJECT_PUBLICATION: 'publication',
  OBJECT_STATISTIC_EXT: 'statistics',
  OBJECT_TSCONFIGURATION: 'text search configuration',
  OBJECT_TSDICTIONARY: 'text search dictionary',
  OBJECT_TSPARSER: 'text search parser',
  OBJECT_TSTEMPLATE: 'text search template',
  OBJECT_ACCESS_METHOD: 'access method',
  OBJECT_LANGUAGE: 'language',
  OBJECT_TRANSFORM: 'transform',
};

/** DROP ... of every kind: contract for objects the previous release may use, nothing for new ones. */
export function drop(ctx: Ctx, stmt: DropStmt): void {
  const cascade = stmt.behavior === 'DROP_CASCADE' ? ' with CASCADE' : '';
  for (const node of stmt.objects ?? []) {
    const parts = objectName(node);
    const key = qualifiedKey(parts);
    switch (stmt.removeType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
        dropRelation(ctx, key, 'drop-table', `drops table ${key}${cascade}`);
        break;
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
        dropRelation(
          ctx,
          key,
          'drop-view',
          `drops ${stmt.removeType === 'OBJECT_VIEW' ? 'view' : 'materialized view'} ${key}${cascade}`,
        );
        break;
      case 'OBJECT_SEQUENCE':
        dropRelation(ctx, key, 'drop-sequence', `drops sequence ${key}${cascade}`);
        break;
      case 'OBJECT_INDEX':
        dropIndex(ctx, parts, stmt.concurrent === true);
        break;
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        const fresh = ctx.fresh.has('type', key) || swappedOut(ctx, key);
        ctx.schema.enums.delete(key);
        ctx.schema.types.delete(key);
        ctx.fresh.delete('type', key);
        if (!fresh)
          ctx.hit('drop-type', `drops ${stmt.removeType === 'OBJECT_TYPE' ? 'type' : 'domain'} ${key}${cascade}`);
        break;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE':
      case 'OBJECT_AGGREGATE':
        dropRoutine(ctx, node, stmt.removeType.slice(7).toLowerCase(), cascade);
        break;
      case 'OBJECT_TRIGGER':
      case 'OBJECT_RULE':
      case 'OBJECT_POLICY':
        dropOnTable(ctx, stmt.removeType, parts, cascade);
        break;
      case 'OBJECT_SCHEMA':
        if (!ctx.fresh.has('schema', key)) ctx.hit('drop-schema', `drops schema ${key}${cascade}`);
        break;
      case 'OBJECT_EXTENSION':
        ctx.hit('extension-change', `drops extension ${key}${cascade}`);
        break;
      default: {
        const kind = `object:${stmt.removeType ?? ''}:${key}`;
        if (!ctx.fresh.has('object', kind))
          ctx.hit('drop-object', `drops ${WORDS[stmt.removeType ?? ''] ?? 'object'} ${key}${cascade}`);
      }
    }
  }
}

// The old type of an enum swap (see swappedTypes): renamed away in this file, its name taken by the
// replacement, no column left on it.
function swappedOut(ctx: Ctx, key: string): boolean {
  const rename = ctx.session.file.typeRenames.find((r) => r.to === key);
  if (!rename || !(ctx.schema.enums.has(rename.from) || ctx.schema.types.has(rename.from))) return false;
  for (const rel of ctx.schema.relations.values())
    for (const column of rel.columns.values()) if (column.type?.name === key) return false;
  return true;
}

function dropRelation(ctx: Ctx, key: string, code: string, message: string): void {
  const fresh = ctx.freshTable(key);
  ctx.schema.dropRelation(key);
  ctx.fresh.delete('table', key);
  if (!fresh) ctx.hit(code, message);
}

function dropRoutine(ctx: Ctx, node: Node, kind: string, cascade: string): void {
  const { name, signatures } = routineSignatures(ctx, node);
  const what = `${kind} ${signatures.length === 1 ? signatures[0] : name}${cascade}`;
  const fresh = freshRoutine(ctx, signatures);
  for (const signature of signatures) {
    ctx.schema.routines.delete(signature);
    ctx.fresh.delete('routine', signature);
  }
  ctx.schema.bodies.delete(name);
  if (!fresh) ctx.hit('drop-function', `drops ${what}`);
}

function dropOnTable(ctx: Ctx, type: string, parts: string[], cascade: string): void {
  const name = parts[parts.length - 1] ?? '';
  const table = qualifiedKey(parts.slice(0, -1));
  const kind = type === 'OBJECT_POLICY' ? 'policy' : type === 'OBJECT_RULE' ? 'rule' : 'trigger';
  if (ctx.freshTable(table) || ctx.fresh.has(kind, `${table}.${name}`)) return;
  ctx.hit(kind === 'policy' ? 'policy-change' : 'drop-trigger', `drops ${kind} ${name} on ${table}${cascade}`);
}

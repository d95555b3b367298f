import type {
  CallStmt,
  CreateEventTrigStmt,
  CreateFunctionStmt,
  CreateTrigStmt,
  DefElem,
  DoStmt,
  FunctionParameter,
  Node,
  ObjectWithArgs,
  RuleStmt,
  TypeName,
} from 'libpg-query';
import { columnType, showType } from './column-types.js';
import { Ctx, messageOf } from './context.js';
import { as, qualifiedKey, relationKey, strings } from './nodes.js';
import { plpgsqlSql } from './plpgsql.js';
import { SqlText } from './positions.js';
import type { RoutineBody } from './schema.js';

/** A routine's signature as the model keys it: `name(integer,text)`. */
function signature(name: string, types: readonly (TypeName | undefined)[]): string {
  return `${name}(${types.map((t) => showType(columnType(t))).join(',')})`;
}

/** The signatures a DROP/ALTER FUNCTION names: one with an argument list, every overload without. */
export function routineSignatures(ctx: Ctx, node: Node | undefined): { name: string; signatures: string[] } {
  const target = as<ObjectWithArgs>(node, 'ObjectWithArgs');
  const name = qualifiedKey(strings(target?.objname));
  if (target && !target.args_unspecified)
    return {
      name,
      signatures: [
        signature(
          name,
          (target.objargs ?? []).map((t) => as<TypeName>(t, 'TypeName')),
        ),
      ],
    };
  return { name, signatures: [...ctx.schema.routines].filter((s) => s.startsWith(`${name}(`)) };
}

/** Whether every routine a statement names was created where the previous release cannot see it. */
export function freshRoutine(ctx: Ctx, signatures: readonly string[]): boolean {
  return signatures.length > 0 && signatures.every((s) => ctx.fresh.has('routine', s));
}

function option(options: readonly Node[] | undefined, name: string): Node | undefined {
  for (const node of options ?? []) {
    const def = as<DefElem>(node, 'DefElem');
    if (def?.defname === name) return def.arg ?? ({} as Node);
  }
  return undefined;
}

/** CREATE [OR REPLACE] FUNCTION / PROCEDURE (F1, F2). */
export function createRoutine(ctx: Ctx, stmt: CreateFunctionStmt): void {
  const name = qualifiedKey(strings(stmt.funcname));
  const args = (stmt.parameters ?? [])
    .map((p) => as<FunctionParameter>(p, 'FunctionParameter'))
    .filter((p) => p && p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
    .map((p) => p?.argType);
  const sig = signature(name, args);
  const existed = ctx.schema.routines.has(sig);
  if (stmt.replace && existed && !ctx.fresh.has('routine', sig))
    ctx.hit('replace-function', `replaces ${stmt.is_procedure ? 'procedure' : 'function'} ${sig}`);
  else ctx.adds();
  ctx.schema.routines.add(sig);
  if (!existed) ctx.fresh.add('routine', sig);
  ctx.schema.bodies.set(name, readBody(ctx, stmt));
}

// The SQL a routine runs when called, so that a call in a later statement can be classified.
function readBody(ctx: Ctx, stmt: CreateFunctionStmt): RoutineBody {
  if (stmt.sql_body) return { statements: atomicStatements(stmt.sql_body) };
  const language = as<{ sval?: string }>(option(stmt.options, 'language'), 'String')?.sval?.toLowerCase() ?? 'sql';
  const source = strings(as<{ items?: Node[] }>(option(stmt.options, 'as'), 'List')?.items);
  if (language === 'sql') {
    try {
      return {
        statements: (ctx.session.parser.parse(source[0] ?? '').stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : [])),
      };
    } catch (error) {
      ctx.hit('syntax-error', `SQL function body: ${messageOf(error)}`);
      return { statements: [], opaque: 'it does not parse' };
    }
  }
  if (language !== 'plpgsql') return { statements: [], opaque: `it is written in ${language}` };
  let tree: unknown;
  try {
    tree = ctx.session.parser.parsePlpgsql(ctx.source);
  } catch (error) {
    ctx.hit('syntax-error', `PL/pgSQL body: ${messageOf(error)}`);
    return { statements: [], opaque: 'it does not parse' };
  }
  const body: RoutineBody = { statements: [] };
  for (const sql of plpgsqlSql(tree)) {
    if (sql.dynamic) {
      body.opaque = 'it runs SQL built at run time';
      continue;
    }
    try {
      for (const s of ctx.session.parser.parse(sql.text).stmts ?? []) if (s.stmt) body.statements.push(s.stmt);
    } catch {
      body.opaque = 'part of it does not parse';
    }
  }
  return body;
}

// BEGIN ATOMIC ... END keeps its statements parsed, as a list of lists.
function atomicStatements(node: Node): Node[] {
  const out: Node[] = [];
  for (const item of as<{ items?: Node[] }>(node, 'List')?.items ?? [node]) {
    const inner = as<{ items?: Node[] }>(item, 'List');
    if (inner) out.push(...(inner.items ?? []));
    else out.push(item);
  }
  return out;
}

/**
 * Classifies what a call runs, when the model read the routine's body: a migration that creates a
 * helper, calls it and drops it does its work in the call. Returns false for unknown routines.
 */
export function callRoutine(ctx: Ctx, name: string, isProcedure: boolean): boolean {
  const body = ctx.schema.bodies.get(name);
  if (!body) return false;
  if (ctx.depth >= 4) return true;
  const inner = new Ctx(
    ctx.session,
    new SqlText('', 0, true),
    ctx.verdict,
    ctx.depth + 1,
    `${ctx.prefix}calls ${name}(), which `,
  );
  for (const statement of body.statements) ctx.session.classify(inner, statement);
  if (body.opaque === 'it runs SQL built at run time') inner.hit('dynamic-sql', 'runs SQL built at run time');
  else if (body.opaque && isProcedure)
    ctx.hit('call-procedure', `calls ${name}(), whose body molt cannot read (${body.opaque})`);
  return true;
}

/** CALL (F7): the procedure's body when the model read it, otherwise ambiguous. */
export function call(ctx: Ctx, stmt: CallStmt): void {
  const name = qualifiedKey(strings(stmt.funccall?.funcname));
  if (!callRoutine(ctx, name, true)) ctx.hit('call-procedure', `calls procedure ${name}()`);
}

/** DO (F6): the statements of the block are classified as if they stood in the file; EXECUTE is dynamic. */
export function doBlock(ctx: Ctx, stmt: DoStmt): void {
  const language = as<{ sval?: string }>(option(stmt.args, 'language'), 'String')?.sval?.toLowerCase() ?? 'plpgsql';
  if (language !== 'plpgsql') {
    ctx.hit('dynamic-sql', `runs a DO block in ${language}`);
    return;
  }
  let tree: unknown;
  try {
    tree = ctx.session.parser.parsePlpgsql(ctx.source);
  } catch (error) {
    ctx.hit('syntax-error', `PL/pgSQL: ${messageOf(error)}`);
    return;
  }
  const text = ctx.sql.text;
  let cursor = 0;
  for (const sql of plpgsqlSql(tree)) {
    const found = locate(text, sql, cursor);
    if (found >= 0) cursor = found + 1;
    const at = found >= 0 ? ctx.sql.origin + found : undefined;
    if (sql.dynamic) {
      ctx.hit('dynamic-sql', `runs SQL built at run time: EXECUTE ${shorten(sql.text)}`, at);
      continue;
    }
    let parsed;
    try {
      parsed = ctx.session.parser.parse(sql.text);
    } catch (error) {
      ctx.hit('syntax-error', `in DO block: ${messageOf(error)}`, at);
      continue;
    }
    const inner = new Ctx(
      ctx.session,
      new SqlText(sql.text, at ?? 0, at === undefined),
      ctx.verdict,
      ctx.depth,
      ctx.prefix,
    );
    inner.source = sql.text;
    for (const s of parsed.stmts ?? []) if (s.stmt) ctx.session.classify(inner, s.stmt);
  }
}

/** CREATE TRIGGER (F4): new behaviour for writes of the previous release, unless the table is new. */
export function createTrigger(ctx: Ctx, stmt: CreateTrigStmt): void {
  const table = relationKey(stmt.relation);
  const name = stmt.trigname ?? '';
  if (ctx.freshTable(table)) {
    ctx.adds();
    return;
  }
  ctx.fresh.add('trigger', `${table}.${name}`);
  ctx.hit('create-trigger', `${stmt.replace ? 'creates or replaces' : 'creates'} trigger ${name} on ${table}`);
}

/** CREATE RULE: rewrites queries of the previous release on the table, like a trigger. */
export function createRule(ctx: Ctx, stmt: RuleStmt): void {
  const table = relationKey(stmt.relation);
  if (ctx.freshTable(table)) {
    ctx.adds();
    return;
  }
  ctx.fresh.add('rule', `${table}.${stmt.rulename ?? ''}`);
  ctx.hit('create-trigger', `creates rule ${stmt.rulename ?? ''} on ${table}`);
}

/** CREATE EVENT TRIGGER: runs on every DDL statement, including those of the previous release. */
export function createEventTrigger(ctx: Ctx, stmt: CreateEventTrigStmt): void {
  ctx.hit('create-trigger', `creates event trigger ${stmt.trigname ?? ''} on ${stmt.eventname ?? ''}`);
}

// Where a body's SQL stands in the block: EXECUTE points at its keyword, PERFORM's query reads `SELECT ...`.
function locate(text: string, sql: { text: string; dynamic: boolean }, from: number): number {
  const bare = sql.text.replace(/^SELECT /, '');
  let found = text.indexOf(sql.text, from);
  if (found < 0) found = text.indexOf(bare, from);
  if (found < 0 || !sql.dynamic) return found;
  const keyword = /\bEXECUTE\s+$/i.exec(text.slice(Math.max(0, found - 40), found));
  return keyword ? found - keyword[0].length : found;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

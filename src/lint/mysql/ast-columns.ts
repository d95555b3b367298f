import type { ColumnSpec, DefaultSpec, IndexSpec, Position, TypeSpec } from './actions.js';
import { defaultFromSql, makeType } from './column-types.js';

/** A node of node-sql-parser's AST, read defensively: its shape varies between statement kinds. */
export type Node = { readonly [key: string]: unknown };

/** Prints an AST expression back to SQL (the parser's own exprToSQL). */
export type ExprPrinter = (expr: unknown) => string;

/** The node, when the value is an object. */
export const node = (v: unknown): Node | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
/** The array, or an empty one. */
export const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
/** The string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The table (or view) name of a table reference node. */
export const tableName = (v: unknown): string | undefined => str(node(v)?.table) ?? str(node(v)?.view);

/** The column name of a column_ref node (or a bare string). */
export function columnName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const n = node(v);
  if (!n) return undefined;
  const col = n.column;
  if (typeof col === 'string') return col;
  // Newer ASTs wrap the name: { expr: { type: 'default', value: 'a' } }.
  return str(node(node(col)?.expr)?.value);
}

/** The first source offset found in a node's subtree (node-sql-parser locates column references only). */
export function firstOffset(v: unknown): number | undefined {
  const n = node(v);
  if (n) {
    const loc = node(n.loc);
    const start = node(loc?.start);
    if (typeof start?.offset === 'number') return start.offset;
    for (const child of Object.values(n)) {
      const found = firstOffset(child);
      if (found !== undefined) return found;
    }
  } else if (Array.isArray(v)) {
    for (const child of v) {
      const found = firstOffset(child);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function typeOf(def: Node | undefined): TypeSpec | undefined {
  const dataType = str(def?.dataType);
  if (!def || !dataType) return undefined;
  const args: number[] = [];
  if (typeof def.length === 'number') args.push(def.length);
  if (typeof def.scale === 'number') args.push(def.scale);
  const suffix = list(def.suffix).map((s) => String(s).toUpperCase());
  const values = /^(ENUM|SET)$/i.test(dataType)
    ? list(node(def.expr)?.value).map((v) => String(node(v)?.value ?? ''))
    : undefined;
  const zerofill = suffix.includes('ZEROFILL');
  return makeType(dataType, args, {
    ...(values ? { values } : {}),
    ...(suffix.includes('UNSIGNED') || zerofill ? { unsigned: true } : {}),
    ...(zerofill ? { zerofill } : {}),
  });
}

/** Reads a column definition node (of CREATE TABLE or of ALTER TABLE ADD / MODIFY / CHANGE). */
export function columnFromAst(n: Node, printer: ExprPrinter): { column: ColumnSpec; position?: Position } | undefined {
  const name = columnName(n.column);
  if (name === undefined) return undefined;
  const def = node(n.definition);
  let type = typeOf(def);
  const charset = str(node(node(n.character_set)?.value)?.value);
  const collate = str(node(node(n.collate)?.collate)?.name);
  if (type && (charset || collate))
    type = {
      ...type,
      ...(charset ? { charset: charset.toLowerCase() } : {}),
      ...(collate ? { collate: collate.toLowerCase() } : {}),
    };
  const nullable = str(node(n.nullable)?.type);
  let dflt: DefaultSpec | undefined;
  let onUpdate: string | undefined;
  const value = node(n.default_val)?.value;
  if (value !== undefined) {
    const over = node(node(value)?.over);
    if (over && str(over.type) === 'on update') {
      const precision = node(list(node(over.expr)?.value)[0])?.value;
      onUpdate =
        typeof precision === 'number' && precision > 0 ? `CURRENT_TIMESTAMP(${precision})` : 'CURRENT_TIMESTAMP';
      dflt = defaultFromSql(printer({ ...node(value), over: null }));
    } else dflt = defaultFromSql(printer(value));
  }
  const onUpdateNode = node(n.on_update);
  if (onUpdateNode)
    onUpdate = defaultFromSql(printer(onUpdateNode.value ?? onUpdateNode))?.canonical ?? 'CURRENT_TIMESTAMP';
  const generated = node(n.generated);
  const storage = str(generated?.storage_type)?.toLowerCase();
  const column: ColumnSpec = {
    name,
    ...(type ? { type } : {}),
    ...(nullable === 'not null' ? { nullable: false } : nullable === 'null' ? { nullable: true } : {}),
    ...(dflt ? { default: dflt } : {}),
    ...(onUpdate ? { onUpdate } : {}),
    ...(n.auto_increment ? { autoIncrement: true } : {}),
    ...(generated ? { generated: storage === 'stored' || storage === 'persistent' ? 'stored' : 'virtual' } : {}),
    ...(n.primary_key ? { primaryKey: true } : {}),
    ...(n.unique || n.unique_or_primary === 'unique' ? { unique: true } : {}),
    ...(n.check ? { check: true } : {}),
  };
  const suffix = node(n.suffix);
  const keyword = str(suffix?.keyword)?.toUpperCase();
  const position: Position | undefined =
    keyword === 'FIRST' ? { first: true } : keyword === 'AFTER' ? { after: columnName(suffix?.expr) ?? '' } : undefined;
  return { column, ...(position ? { position } : {}) };
}

/** The key-part column names of an index or constraint node's `definition`. */
function keyColumns(v: unknown): string[] {
  return list(v).map((p) => columnName(p) ?? '(expr)');
}

/** Reads an index or constraint node of CREATE TABLE or ALTER TABLE ADD; undefined for anything else. */
export function elementFromAst(
  n: Node,
):
  | { kind: 'index'; name?: string; index: IndexSpec }
  | { kind: 'foreign-key'; name?: string; columns: string[]; references?: string }
  | { kind: 'check'; name?: string; enforced: boolean }
  | undefined {
  const resource = str(n.resource);
  const constraintType = str(n.constraint_type)?.toLowerCase();
  const name = str(n.index) ?? str(n.constraint) ?? undefined;
  const named = name ? { name } : {};
  if (resource === 'index') {
    const keyword = str(n.keyword)?.toUpperCase() ?? '';
    const special = keyword.startsWith('FULLTEXT') ? 'FULLTEXT' : keyword.startsWith('SPATIAL') ? 'SPATIAL' : undefined;
    return {
      kind: 'index',
      ...named,
      index: { unique: false, primary: false, ...(special ? { special } : {}), columns: keyColumns(n.definition) },
    };
  }
  if (resource !== 'constraint' || !constraintType) return undefined;
  if (constraintType.startsWith('primary'))
    return { kind: 'index', ...named, index: { unique: true, primary: true, columns: keyColumns(n.definition) } };
  if (constraintType.startsWith('unique'))
    return { kind: 'index', ...named, index: { unique: true, primary: false, columns: keyColumns(n.definition) } };
  if (constraintType === 'foreign key') {
    const ref = node(list(node(n.reference_definition)?.table)[0]);
    const references = str(ref?.table);
    return { kind: 'foreign-key', ...named, columns: keyColumns(n.definition), ...(references ? { references } : {}) };
  }
  if (constraintType === 'check') return { kind: 'check', ...named, enforced: true };
  return undefined;
}

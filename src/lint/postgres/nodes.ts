import type { Node, RangeVar, TypeName } from 'libpg-query';

/** The tag and body of a parse-tree node (`{ AlterTableStmt: {...} }` gives `['AlterTableStmt', {...}]`). */
export function unwrap(node: Node | undefined): [string, Record<string, unknown>] | undefined {
  if (!node) return undefined;
  for (const key in node) return [key, (node as unknown as Record<string, Record<string, unknown>>)[key]];
  return undefined;
}

/** The body of a node when it has the given tag. */
export function as<T>(node: Node | undefined, tag: string): T | undefined {
  const body = node && (node as Record<string, unknown>)[tag];
  return body as T | undefined;
}

/** The values of a list of `String` nodes (qualified names, column lists). */
export function strings(list: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const item of list ?? []) {
    const s = as<{ sval?: string }>(item, 'String');
    if (s) out.push(s.sval ?? '');
  }
  return out;
}

/** Calls `visit` on every node object below `root` whose tag is `tag`, e.g. every `FuncCall`. */
export function eachTagged<T>(root: unknown, tag: string, visit: (body: T) => void): void {
  if (root === null || typeof root !== 'object') return;
  if (Array.isArray(root)) {
    for (const item of root) eachTagged(item, tag, visit);
    return;
  }
  for (const key in root as Record<string, unknown>) {
    const value = (root as Record<string, unknown>)[key];
    if (key === tag) visit(value as T);
    eachTagged(value, tag, visit);
  }
}

/** The column names an expression reads (the last part of each column reference). */
export function columnRefs(expr: unknown): string[] {
  const out: string[] = [];
  eachTagged<{ fields?: Node[] }>(expr, 'ColumnRef', (ref) => {
    const names = strings(ref.fields);
    if (names.length) out.push(names[names.length - 1]);
  });
  return out;
}

/** A structural key for an expression, blind to where it was written (to compare two defaults). */
export function exprKey(expr: unknown): string {
  return JSON.stringify(expr, (key, value: unknown) => (key === 'location' ? undefined : value));
}

/** The last name of a type (`pg_catalog.int4` gives `int4`), with its schema when it is not a system one. */
export function typeNameKey(type: TypeName | undefined): string {
  const parts = strings(type?.names);
  if (parts.length > 1 && (parts[0] === 'pg_catalog' || parts[0] === 'public')) parts.shift();
  return parts.join('.');
}

/** A relation's key in the schema model: the name, schema-qualified unless the schema is `public`. */
export function relationKey(rel: RangeVar | undefined): string {
  if (!rel) return '';
  const name = rel.relname ?? '';
  return rel.schemaname && rel.schemaname !== 'public' ? `${rel.schemaname}.${name}` : name;
}

/** The model key of a qualified name given as parts (`['public', 'users']` gives `users`). */
export function qualifiedKey(parts: readonly string[]): string {
  const rest = parts.length > 2 ? parts.slice(parts.length - 2) : [...parts];
  if (rest.length === 2 && rest[0] === 'public') rest.shift();
  return rest.join('.');
}

/** The schema part of a model key, or '' for `public`. */
export function schemaOf(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? '' : key.slice(0, dot);
}

import type { Node, TypeName } from 'libpg-query';
import { as, typeNameKey } from './nodes.js';

/** A column type as the model keeps it: canonical name, type modifiers, array or not. */
export interface ColumnType {
  name: string;
  mods: number[];
  array: boolean;
}

const ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  boolean: 'bool',
  decimal: 'numeric',
  float: 'float8',
  real: 'float4',
  char: 'bpchar',
  character: 'bpchar',
};

const SERIALS: Record<string, string> = {
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
};

const DISPLAY: Record<string, string> = {
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  float8: 'double precision',
  float4: 'real',
  bool: 'boolean',
  bpchar: 'char',
};

/** Reads a parsed type name. */
export function columnType(type: TypeName | undefined): ColumnType {
  const key = typeNameKey(type);
  const mods: number[] = [];
  for (const mod of type?.typmods ?? []) {
    const value = as<{ ival?: { ival?: number } }>(mod as Node, 'A_Const');
    if (value) mods.push(value.ival?.ival ?? 0);
  }
  return { name: ALIASES[key] ?? key, mods, array: (type?.arrayBounds?.length ?? 0) > 0 };
}

/** The integer type behind `serial`, `bigserial`, `smallserial`; undefined for other types. */
export function serialBase(type: ColumnType): string | undefined {
  return type.array ? undefined : SERIALS[type.name];
}

/** How a type reads in a message: `varchar(20)`, `integer[]`. */
export function showType(type: ColumnType): string {
  const name = DISPLAY[type.name] ?? type.name;
  return `${name}${type.mods.length ? `(${type.mods.join(',')})` : ''}${type.array ? '[]' : ''}`;
}

/** Whether two types are the same type with the same modifiers. */
export function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.name === b.name && a.array === b.array && a.mods.join() === b.mods.join();
}

// Types whose only modifier is a precision or length limit that may grow without a rewrite.
const LIMITED = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz']);

/**
 * Whether changing a column from `from` to `to` is a binary-coercible widening that PostgreSQL
 * applies without rewriting the table and that readers see as the same type (research/lint.md
 * K14, checked on a server): longer varchar or bit varying, varchar to text and back to an
 * unlimited varchar, more numeric precision with the same scale, more time precision, cidr to inet.
 * Arrays rewrite even when their elements would not.
 */
export function isWidening(from: ColumnType, to: ColumnType): boolean {
  if (from.array || to.array) return false;
  if (from.name === 'varchar' && to.name === 'text') return true;
  if (from.name === 'text' && to.name === 'varchar') return to.mods.length === 0;
  if (from.name === 'cidr' && to.name === 'inet') return true;
  if (from.name !== to.name) return false;
  if (to.mods.length === 0) return LIMITED.has(from.name) || from.name === 'numeric' || from.name === 'interval';
  if (LIMITED.has(from.name)) return from.mods.length > 0 && to.mods[0] >= from.mods[0];
  if (from.name === 'numeric') {
    if (from.mods.length === 0) return false;
    const [p, s = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return p2 >= p && s2 === s;
  }
  return false;
}

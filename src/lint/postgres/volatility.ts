import type { Node } from 'libpg-query';
import { eachTagged, strings } from './nodes.js';

/**
 * Built-in functions common in column defaults that are STABLE or IMMUTABLE, so PostgreSQL 11+
 * stores the default once and keeps the fast path. Anything else, including every user function,
 * counts as volatile (random(), gen_random_uuid(), clock_timestamp(), nextval() force a rewrite).
 */
const NON_VOLATILE = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_date', 'current_timestamp', 'localtimestamp',
  'timezone', 'date_trunc', 'date_part', 'extract', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz',
  'make_interval', 'to_timestamp', 'to_date', 'to_char', 'to_number', 'age',
  'lower', 'upper', 'btrim', 'ltrim', 'rtrim', 'trim', 'concat', 'concat_ws', 'substring', 'substr', 'replace',
  'left', 'right', 'length', 'char_length', 'md5', 'encode', 'decode', 'format', 'repeat', 'lpad', 'rpad',
  'nullif', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'power', 'mod', 'pi',
  'array_fill', 'array_length', 'cardinality', 'string_to_array', 'array_to_string',
  'jsonb_build_object', 'jsonb_build_array', 'json_build_object', 'json_build_array', 'to_json', 'to_jsonb',
  'jsonb_object', 'json_object', 'array_to_json', 'row_to_json',
  'current_setting', 'current_schema', 'current_database', 'current_user', 'session_user', 'inet_client_addr',
  'uuid_nil', 'uuid_ns_dns', 'uuid_ns_url', 'uuid_ns_oid', 'uuid_ns_x500',
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bool', 'date', 'timestamp', 'timestamptz', 'interval',
  'tsvector', 'to_tsvector', 'array', 'daterange', 'tstzrange', 'tsrange', 'int4range', 'int8range', 'numrange',
]);

/** The first volatile function an expression calls, if any (`random`, `gen_random_uuid`, a user function). */
export function volatileCall(expr: Node | undefined): string | undefined {
  let found: string | undefined;
  eachTagged<{ funcname?: Node[] }>(expr, 'FuncCall', (call) => {
    if (found) return;
    const name = strings(call.funcname);
    const last = name[name.length - 1] ?? '';
    const system = name.length === 1 || name[0] === 'pg_catalog';
    if (!system || !NON_VOLATILE.has(last)) found = name.join('.');
  });
  return found;
}

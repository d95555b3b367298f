import { MoltError } from '../../errors.js';
import { COLUMN_RULES } from './columns.js';
import { CONSTRAINT_RULES } from './constraints.js';
import { DATA_RULES } from './data.js';
import { OBJECT_RULES } from './objects.js';
import type { Rule } from './rule.js';
import { TABLE_RULES } from './tables.js';
import { POSTGRES_RULES } from './postgres.js';
import { MYSQL_RULES } from './mysql.js';
import { SQLITE_RULES } from './sqlite.js';

export type { Rule } from './rule.js';

/** Builds the registry; a code defined twice is a programming error caught at load. */
export function buildRegistry(groups: readonly (readonly Rule[])[]): ReadonlyMap<string, Rule> {
  const map = new Map<string, Rule>();
  for (const rule of groups.flat()) {
    if (map.has(rule.code)) throw new Error(`lint rule code "${rule.code}" is defined twice`);
    map.set(rule.code, rule);
  }
  return map;
}

/** Every lint rule, by code. */
export const RULES: ReadonlyMap<string, Rule> = buildRegistry([
  TABLE_RULES,
  COLUMN_RULES,
  CONSTRAINT_RULES,
  OBJECT_RULES,
  DATA_RULES,
  POSTGRES_RULES,
  MYSQL_RULES,
  SQLITE_RULES,
]);

/** The rule for a code; an unknown code is a usage error that lists the near ones. */
export function ruleFor(code: string): Rule {
  const rule = RULES.get(code);
  if (rule) return rule;
  const near = [...RULES.keys()].filter((k) => k.includes(code) || code.includes(k.split('-')[0]));
  throw new MoltError('USAGE', `No lint rule "${code}"`, {
    hint: near.length
      ? `Did you mean ${near.slice(0, 5).join(', ')}?`
      : 'The README lists every rule; `molt lint --explain` with no code lists them too',
  });
}

/** The class notation of a rule, as research/lint.md writes it: `C/U+D`. */
export function classLabel(rule: Pick<Rule, 'class' | 'blocking' | 'dataDependent'>): string {
  return `${rule.class}${rule.blocking ? '/U' : ''}${rule.dataDependent ? '+D' : ''}`;
}

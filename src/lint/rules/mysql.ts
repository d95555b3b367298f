import type { Rule } from './rule.js';

/** Rules only the mysql analyzer reports (shared rules live in the topic files). */
export const MYSQL_RULES: readonly Rule[] = [];

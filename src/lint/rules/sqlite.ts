import type { Rule } from './rule.js';

/** Rules only the sqlite analyzer reports (shared rules live in the topic files). */
export const SQLITE_RULES: readonly Rule[] = [];

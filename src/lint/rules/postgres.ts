import type { Rule } from './rule.js';

/** Rules only the postgres analyzer reports (shared rules live in the topic files). */
export const POSTGRES_RULES: readonly Rule[] = [];

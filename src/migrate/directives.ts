import { MoltError } from '../errors.js';
import type { Phase } from './migration.js';

/** The directives a migration file may carry in its leading comments. */
export interface Directives {
  phase: Phase;
  transaction: 'auto' | 'off';
  /** Lint rule codes the whole file acknowledges (`-- molt:allow CODE`), with the line that says so. */
  allow: { code: string; line: number }[];
}

// `--` everywhere; `#` too, for MySQL files, where it starts a comment as well. Case and spaces around the colon
// are tolerated: `-- MOLT:PHASE contract` and `-- molt: phase contract` mean what they say, never nothing.
const DIRECTIVE = /^(?:--|#)\s*molt\s*:\s*([A-Za-z_-]+)\s*(.*?)\s*$/i;
const ALLOWED: Record<string, readonly string[] | 'codes'> = {
  phase: ['expand', 'contract'],
  transaction: ['off'],
  allow: 'codes',
};
const CODE_LIST = /^[a-z0-9-]+(\s*,\s*[a-z0-9-]+)*(\s+--.*)?$/;

/** Reads the rule codes of a `molt:allow` value: `code-a, code-b -- reason`. */
export function allowedCodes(value: string): string[] {
  return value
    .replace(/\s+--.*$/, '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

/** Reads `-- molt:key value` lines from the comment block at the top of a file; anything unknown is an error naming the line. */
export function parseDirectives(text: string, source: string): Directives {
  const result: Directives = { phase: 'expand', transaction: 'auto', allow: [] };
  if (!/molt\s*:/i.test(text)) return result;
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  let leading = true;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const at = `${source}:${index + 1}`;
    if (leading && line !== '' && !line.startsWith('--') && !line.startsWith('#')) leading = false;
    const match = DIRECTIVE.exec(line);
    if (!match) return;
    const key = match[1].toLowerCase();
    // Rule codes are lower case; the reason after ` -- ` keeps its own spelling.
    const value =
      key === 'allow' ? match[2].replace(/^.*?(?=\s+--|$)/, (codes) => codes.toLowerCase()) : match[2].toLowerCase();
    // A statement's own `molt:allow` stands right above it; lint reads those.
    if (!leading && key === 'allow') return;
    if (!leading) {
      throw new MoltError(
        'MIGRATION_FILE_INVALID',
        `${at}: directive "molt:${key}" stands after the first statement, where it has no effect`,
        {
          hint: 'Move it into the comment lines at the top of the file',
          details: { file: source, line: index + 1 },
        },
      );
    }
    const allowed = ALLOWED[key];
    if (!allowed) {
      throw new MoltError('MIGRATION_FILE_INVALID', `${at}: unknown directive "molt:${key}"`, {
        hint: 'Known directives: -- molt:phase expand|contract, -- molt:transaction off, -- molt:allow RULE',
        details: { file: source, line: index + 1 },
      });
    }
    if (allowed === 'codes') {
      if (!CODE_LIST.test(value)) {
        throw new MoltError(
          'MIGRATION_FILE_INVALID',
          `${at}: "molt:allow" takes lint rule codes separated by commas, not "${value}"`,
          {
            hint: 'Example: -- molt:allow index-not-concurrent -- the table holds 40 rows. `molt lint --explain CODE` describes a rule',
            details: { file: source, line: index + 1 },
          },
        );
      }
      for (const code of allowedCodes(value)) result.allow.push({ code, line: index + 1 });
      return;
    }
    if (!allowed.includes(value)) {
      throw new MoltError(
        'MIGRATION_FILE_INVALID',
        `${at}: "molt:${key}" takes ${allowed.join(' or ')}, not "${value}"`,
        {
          details: { file: source, line: index + 1 },
        },
      );
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new MoltError(
        'MIGRATION_FILE_INVALID',
        `${at}: a second "molt:${key}" directive; line ${earlier} already set it`,
        {
          hint: `Keep one molt:${key} line`,
          details: { file: source, line: index + 1 },
        },
      );
    }
    seen.set(key, index + 1);
    if (key === 'phase') result.phase = value as Phase;
    else result.transaction = 'off';
  });
  return result;
}

import { MoltError } from '../errors.js';
import type { Phase } from './migration.js';

/** The directives a migration file may carry in its leading comments. */
export interface Directives {
  phase: Phase;
  transaction: 'auto' | 'off';
}

const DIRECTIVE = /^--\s*molt:([A-Za-z_-]+)\s*(.*?)\s*$/;
const ALLOWED: Record<string, readonly string[]> = {
  phase: ['expand', 'contract'],
  transaction: ['off'],
};

/** Reads `-- molt:key value` lines from the comment block at the top of a file; anything unknown is an error naming the line. */
export function parseDirectives(text: string, source: string): Directives {
  const result: Directives = { phase: 'expand', transaction: 'auto' };
  if (!text.includes('molt:')) return result;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  let leading = true;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const at = `${source}:${index + 1}`;
    if (leading && line !== '' && !line.startsWith('--')) leading = false;
    const match = DIRECTIVE.exec(line);
    if (!match) return;
    const [, key, value] = match;
    if (!leading) {
      throw new MoltError('MIGRATION_FILE_INVALID', `${at}: directive "molt:${key}" stands after the first statement, where it has no effect`, {
        hint: 'Move it into the comment lines at the top of the file',
        details: { file: source, line: index + 1 },
      });
    }
    const allowed = ALLOWED[key];
    if (!allowed) {
      throw new MoltError('MIGRATION_FILE_INVALID', `${at}: unknown directive "molt:${key}"`, {
        hint: 'Known directives: -- molt:phase expand|contract, -- molt:transaction off',
        details: { file: source, line: index + 1 },
      });
    }
    if (!allowed.includes(value)) {
      throw new MoltError('MIGRATION_FILE_INVALID', `${at}: "molt:${key}" takes ${allowed.join(' or ')}, not "${value}"`, {
        details: { file: source, line: index + 1 },
      });
    }
    if (key === 'phase') result.phase = value as Phase;
    else result.transaction = 'off';
  });
  return result;
}
